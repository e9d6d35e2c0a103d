package batch

import "slices"

// job is upload work waiting for a worker: files of a batch ingested as
// one unit (a grouped batch's files, or one file of another).
type job struct {
	b     *Batch
	files []*File
}

// queue hands upload work to a bounded number of workers, fairly: one
// person, and one library, holds at most half of the workers (at least
// one), so that with two or more workers one always stays for the others;
// and the next job is taken in turn across libraries, then across people,
// rather than in the order it came. It is guarded by Service.mu.
type queue struct {
	workers int
	busy    int
	waiting []job
	running map[string]int    // by library and by person: workers held
	served  map[string]uint64 // by library and by person: the turn last served
	turn    uint64
}

func newQueue(workers int) *queue {
	return &queue{workers: max(1, workers), running: map[string]int{}, served: map[string]uint64{}}
}

// shares are the keys a job counts against: its library and its person.
func shares(b *Batch) [2]string {
	return [2]string{"library " + b.Institution, "person " + b.Owner}
}

// share is the most workers one person or one library may hold.
func (q *queue) share() int { return max(1, q.workers/2) }

// add puts a job in line.
func (q *queue) add(j job) { q.waiting = append(q.waiting, j) }

// next takes the job to run now, if a worker is free and a job may have
// it: of those whose library and person are under their share, the one
// whose library, then person, was served longest ago, the earliest first.
func (q *queue) next() (job, bool) {
	if q.busy >= q.workers {
		return job{}, false
	}
	best := -1
	for i, j := range q.waiting {
		k := shares(j.b)
		if q.running[k[0]] >= q.share() || q.running[k[1]] >= q.share() {
			continue
		}
		if best < 0 || q.before(k, shares(q.waiting[best].b)) {
			best = i
		}
	}
	if best < 0 {
		return job{}, false
	}
	j := q.waiting[best]
	q.waiting = slices.Delete(q.waiting, best, best+1)
	q.busy++
	q.turn++
	for _, k := range shares(j.b) {
		q.running[k]++
		q.served[k] = q.turn
	}
	return j, true
}

// before says a library and person were served before b's.
func (q *queue) before(a, b [2]string) bool {
	if q.served[a[0]] != q.served[b[0]] {
		return q.served[a[0]] < q.served[b[0]]
	}
	return q.served[a[1]] < q.served[b[1]]
}

// done gives back the worker a job held. A library or person with no
// work left, running or waiting, is forgotten (when they come back, they
// are served as one not served for long), so that what the queue holds is
// bounded by the work in it, not by everyone who ever uploaded.
func (q *queue) done(j job) {
	q.busy--
	for _, k := range shares(j.b) {
		if q.running[k]--; q.running[k] <= 0 {
			delete(q.running, k)
			if !q.waits(k) {
				delete(q.served, k)
			}
		}
	}
}

// waits says whether a job of the library or person k is waiting.
func (q *queue) waits(k string) bool {
	for _, j := range q.waiting {
		if s := shares(j.b); s[0] == k || s[1] == k {
			return true
		}
	}
	return false
}
