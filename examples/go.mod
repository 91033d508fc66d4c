module github.com/transmute-go/transmute/examples

go 1.26

require (
	github.com/transmute-go/transmute v0.0.0-00010101000000-000000000000
	github.com/transmute-go/transmute/audit v0.0.0-00010101000000-000000000000
	github.com/transmute-go/transmute/composite v0.0.0-00010101000000-000000000000
	github.com/transmute-go/transmute/metricshook v0.0.0-00010101000000-000000000000
	github.com/transmute-go/transmute/otelhook v0.0.0-00010101000000-000000000000
	github.com/transmute-go/transmute/sampling v0.0.0-00010101000000-000000000000
)

replace (
	github.com/transmute-go/transmute => ../
	github.com/transmute-go/transmute/audit => ../audit
	github.com/transmute-go/transmute/composite => ../composite
	github.com/transmute-go/transmute/metricshook => ../metricshook
	github.com/transmute-go/transmute/otelhook => ../otelhook
	github.com/transmute-go/transmute/sampling => ../sampling
)
