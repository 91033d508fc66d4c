module github.com/transmute-go/transmute/sampling

go 1.26

require github.com/transmute-go/transmute v0.1.0

replace github.com/transmute-go/transmute => ../
