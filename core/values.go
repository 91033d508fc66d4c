package core

// KeepValues is the redaction function that keeps every value as it is.
// The options of this project that record a record's values (such as the
// audit trail's and the OpenTelemetry hook's) take a redaction function,
// and a nil one records no values: pass KeepValues to record them in the
// clear, knowingly.
func KeepValues(key string, v any) any { return v }
