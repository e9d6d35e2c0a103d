package desk

// Reason is a refusal a person reads: Key names its words, which the
// caller says in the reader's language (the web's messages), Msg says it
// in English ("": Err says it), and Err is its kind (fault.Invalid,
// fault.Forbidden…) for errors.Is.
type Reason struct {
	Key string
	Msg string
	Err error
}

func (r *Reason) Error() string {
	if r.Msg == "" {
		return r.Err.Error()
	}
	return r.Msg + ": " + r.Err.Error()
}

// Unwrap is the refusal's kind.
func (r *Reason) Unwrap() error { return r.Err }

// refuse is a Reason of a kind.
func refuse(kind error, key, msg string) error { return &Reason{Key: key, Msg: msg, Err: kind} }
