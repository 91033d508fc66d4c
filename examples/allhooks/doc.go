// Package allhooks holds the test that runs every hook module together
// under concurrency: metricshook, sampling, audit, alerting and a
// composite of them all on one manager.
package allhooks
