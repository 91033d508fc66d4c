package otelhook

import (
	"go.opentelemetry.io/otel/attribute"
)

// Attribute keys of the spans and metrics. The error type of a failure is
// semconv's error.type.
const (
	// ModelKey is the model's name (spans and metrics).
	ModelKey attribute.Key = "migration.model"
	// VersionFromKey is the version migrated from: the migration's, or the
	// step's on a step span and the step metric.
	VersionFromKey attribute.Key = "migration.version.from"
	// VersionToKey is the version migrated to (the migration's or the
	// step's).
	VersionToKey attribute.Key = "migration.version.to"
	// StepsKey is the number of steps of the migration's path (0 when there
	// is no path).
	StepsKey attribute.Key = "migration.steps"
	// DirectionKey is "up" for an upgrade, "down" for a downgrade.
	DirectionKey attribute.Key = "migration.direction"
	// StepIndexKey is the position of the step in the path, from 0.
	StepIndexKey attribute.Key = "migration.step.index"
	// StepAutoKey is true for an auto-migration step (no function).
	StepAutoKey attribute.Key = "migration.step.auto"
	// BatchSizeKey is the number of items of a batch (for a stream, the
	// number of items seen, set at the end).
	BatchSizeKey attribute.Key = "migration.batch.size"
	// BatchSucceededKey is the number of items that succeeded, set at the
	// end of a batch.
	BatchSucceededKey attribute.Key = "migration.batch.succeeded"
	// BatchFailedKey is the number of items that failed, set at the end of
	// a batch.
	BatchFailedKey attribute.Key = "migration.batch.failed"
	// DataKeyPrefix prefixes the keys of the values that [WithRecordValues]
	// records.
	DataKeyPrefix = "migration.data."
)
