package search

// Lag is how many changes announced by the repository the index has yet
// to apply: 0 when it is up to date, the whole feed while it rebuilds for
// another epoch.
func (x *Index) Lag() (uint64, error) {
	epoch, last, err := x.src.FeedEpoch()
	if err != nil {
		return 0, err
	}
	c := x.position()
	switch {
	case c.Epoch != epoch:
		return last, nil
	case c.Seq >= last:
		return 0, nil
	}
	return last - c.Seq, nil
}
