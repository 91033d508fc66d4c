package transmutetest

// RecorderOption configures a [Recorder] made by [NewRecorder] or
// [NewValidator]. A nil RecorderOption is ignored.
type RecorderOption interface {
	applyRecorder(*Recorder)
}

type recorderOption func(*Recorder)

func (f recorderOption) applyRecorder(r *Recorder) { f(r) }

// WithName names the recorder in the [Journal] it writes to and in the
// faults [Recorder.CheckPairing] reports.
func WithName(name string) RecorderOption {
	return recorderOption(func(r *Recorder) { r.name = name })
}

// WithJournal makes the recorder also write every call it gets to j, so
// that several recorders share one ordered list. A nil j keeps none.
func WithJournal(j *Journal) RecorderOption {
	return recorderOption(func(r *Recorder) { r.journal = j })
}
