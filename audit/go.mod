module github.com/transmute-go/transmute/audit

go 1.26

require github.com/transmute-go/transmute v0.1.0

replace github.com/transmute-go/transmute => ../
