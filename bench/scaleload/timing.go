package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
)

// probe is one request path of the table, and the URLs it cycles through.
type probe struct {
	name string
	urls []string
	once bool   // one request per URL (a cold cache), not repeated
	want string // every answer holds this: what is timed is not an empty answer
}

// runTime starts `archive serve` (-archive) on -addr, measures its CPU in
// its first -idle while nothing asks it anything, then asks each path of the
// table -reps times (or for at most -budget per path, whichever ends first),
// one request at a time, and prints p50 and p95.
func runTime(args []string) error {
	fs := flag.NewFlagSet("time", flag.ExitOnError)
	archive := fs.String("archive", "archive", "the archive `program`")
	addr := fs.String("addr", "127.0.0.1:18400", "address to serve on")
	logPath := fs.String("log", "serve.log", "the server's log `file`")
	idle := fs.Duration("idle", 40*time.Second, "how long the server is left alone after it starts")
	madePath := fs.String("made", "", "what make wrote (JSON)")
	reps := fs.Int("reps", 40, "requests per path")
	budget := fs.Duration("budget", 20*time.Second, "most time spent on one path")
	fs.Parse(args)
	b, err := os.ReadFile(*madePath)
	if err != nil {
		return err
	}
	var made Made
	if err := json.Unmarshal(b, &made); err != nil {
		return fmt.Errorf("%s: %v", *madePath, err)
	}
	srv, ready, err := startServer(*archive, *addr, *logPath)
	if err != nil {
		return err
	}
	defer srv.stop()
	time.Sleep(time.Until(srv.started.Add(*idle)))
	cpu, err := srv.cpu()
	if err != nil {
		return err
	}
	fmt.Printf("serve: ready in %.1f s; CPU in the first %s: %.2f s; RSS %d MiB\n", ready.Seconds(), *idle, cpu.Seconds(), srv.rss())
	base := "http://" + *addr
	last, err := lastDiscoveryPage(base)
	if err != nil {
		return err
	}
	fmt.Printf("%-34s %5s %10s %10s %10s  %s\n", "request", "n", "p50 ms", "p95 ms", "max ms", "bytes")
	for _, p := range probes(base, &made, last) {
		lat, size, err := measure(p, *reps, *budget)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		slices.Sort(lat)
		fmt.Printf("%-34s %5d %10.1f %10.1f %10.1f  %d\n", p.name, len(lat), ms(pct(lat, 50)), ms(pct(lat, 95)), ms(lat[len(lat)-1]), size)
	}
	fmt.Printf("serve: RSS after the requests %d MiB\n", srv.rss())
	return nil
}

// probes are the request paths of issue 25, in an order where the cold
// library pages come before anything else has read the libraries.
func probes(base string, made *Made, lastPage string) []probe {
	var libs, items, th, en []string
	for _, lib := range libraries {
		libs = append(libs, base+"/libraries/"+lib)
	}
	for _, id := range made.Samples {
		items = append(items, base+"/items/"+id)
	}
	for i := range thai {
		th = append(th, base+"/search?q="+url.QueryEscape(thai[i]))
		en = append(en, base+"/search?q="+url.QueryEscape(english[i]))
	}
	oai := base + "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc"
	return []probe{
		{name: "library first page, cold", urls: libs, once: true, want: "/items/r"},
		{name: "library first page, warm", urls: libs, want: "/items/r"},
		{name: "home", urls: []string{base + "/"}},
		{name: "OAI ListIdentifiers, 20-item set", urls: []string{oai + "&set=" + url.QueryEscape(made.Sets["cmu"])}, want: "<identifier>"},
		{name: "OAI ListIdentifiers, all", urls: []string{oai}, want: "<identifier>"},
		{name: "Discovery collection", urls: []string{base + "/iiif/discovery/collection"}, want: "/iiif/discovery/page/"},
		{name: "Discovery first page", urls: []string{base + "/iiif/discovery/page/0"}, want: "/iiif/3/"},
		{name: "Discovery last page", urls: []string{lastPage}, want: "/iiif/3/"},
		{name: "search, Thai word", urls: th, want: "/items/r"},
		{name: "search, English word", urls: en, want: "/items/r"},
		{name: "item page", urls: items, want: "ฉบับที่"},
	}
}

// measure sends p's requests one at a time and returns their durations and
// the size of the last answer; any status but 200 is an error.
func measure(p probe, reps int, budget time.Duration) ([]time.Duration, int, error) {
	n := reps
	if p.once {
		n = len(p.urls)
	}
	var lat []time.Duration
	size := 0
	start := time.Now()
	for i := 0; i < n && (i == 0 || time.Since(start) < budget); i++ {
		u := p.urls[i%len(p.urls)]
		t0 := time.Now()
		resp, err := http.Get(u)
		if err != nil {
			return nil, 0, err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, 0, err
		}
		lat = append(lat, time.Since(t0))
		if resp.StatusCode != http.StatusOK {
			return nil, 0, fmt.Errorf("%s answered %d: %.200s", u, resp.StatusCode, b)
		}
		if !strings.Contains(string(b), p.want) {
			return nil, 0, fmt.Errorf("%s: the answer does not hold %q: %.300s", u, p.want, b)
		}
		size = len(b)
	}
	return lat, size, nil
}

// lastDiscoveryPage reads the Change Discovery collection for its last page.
func lastDiscoveryPage(base string) (string, error) {
	resp, err := http.Get(base + "/iiif/discovery/collection")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var c struct {
		Last struct{ ID string } `json:"last"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || c.Last.ID == "" {
		return "", fmt.Errorf("the Discovery collection names no last page (%d, %v)", resp.StatusCode, err)
	}
	// The page is named with the service's own address; ask where we asked.
	_, path, _ := strings.Cut(strings.TrimPrefix(c.Last.ID, "http://"), "/")
	return base + "/" + path, nil
}

func pct(sorted []time.Duration, p int) time.Duration { return sorted[(len(sorted)-1)*p/100] }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
