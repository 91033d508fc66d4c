module github.com/transmute-go/transmute/sampling

go 1.26

require github.com/transmute-go/transmute v0.0.0-00010101000000-000000000000

replace github.com/transmute-go/transmute => ../
