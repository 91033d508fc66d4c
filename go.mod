module github.com/transmute-go/transmute

go 1.26
