package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
)

// sourceJSON is a source as the service's JSON API gives and takes it.
type sourceJSON struct {
	ID          string `json:"id,omitempty"`
	Institution string `json:"institution"`
	OAI         string `json:"oai,omitempty"`
	IIIF        string `json:"iiif,omitempty"`
	Set         string `json:"set,omitempty"`
	Format      string `json:"format,omitempty"`
	Every       string `json:"every,omitempty"`
	Run         struct {
		Read, Added, Changed, Removed, Failed int
		Error                                 string
	} `json:"run"`
}

// harvestRemote does what "archive harvest" is asked through the running
// service's API (/api/v1/sources), with the data folder's token.
func harvestRemote(ctx context.Context, svc *service, sub string, ids []string, all bool, src sourceJSON, stdout io.Writer) error {
	call := func(method, path string, in, out any) error {
		var body io.Reader
		hdr := map[string]string{}
		if in != nil {
			b, _ := json.Marshal(in)
			body, hdr["Content-Type"] = bytes.NewReader(b), "application/json"
		}
		resp, err := svc.do(ctx, method, path, body, hdr)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		if resp.StatusCode/100 != 2 { // the service says why in a line of text
			return fmt.Errorf("the service at %s refused (%s): %s", svc.base, resp.Status, strings.TrimSpace(string(b[:min(len(b), 500)])))
		}
		if out != nil {
			return json.Unmarshal(b, out)
		}
		return nil
	}
	var list struct{ Sources []sourceJSON }
	if sub == "list" || sub == "run" && all {
		if err := call(http.MethodGet, "/api/v1/sources", nil, &list); err != nil {
			return err
		}
	}
	switch sub {
	case "add":
		var made sourceJSON
		if err := call(http.MethodPost, "/api/v1/sources", src, &made); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "source %s of %s: %s%s (through the running service)\n", made.ID, made.Institution, made.OAI, made.IIIF)
	case "list":
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "SOURCE\tLIBRARY\tOAI-PMH OR IIIF\tSET\tFORMAT\tEVERY\tREAD\tADDED\tCHANGED\tREMOVED\tFAILED\tERROR")
		for _, s := range list.Sources {
			r := s.Run
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", s.ID, s.Institution, s.OAI+s.IIIF, dash(s.Set), s.Format, s.Every,
				r.Read, r.Added, r.Changed, r.Removed, r.Failed, dash(r.Error))
		}
		return w.Flush()
	case "run":
		if all {
			ids = nil
			for _, s := range list.Sources {
				ids = append(ids, s.ID)
			}
		}
		for _, id := range ids {
			if err := call(http.MethodPost, "/api/v1/sources/"+url.PathEscape(id)+"/run", nil, nil); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "source %s: the running service harvests it within a minute (archive harvest list shows how it went)\n", id)
		}
	case "remove":
		if err := call(http.MethodDelete, "/api/v1/sources/"+url.PathEscape(ids[0]), nil, nil); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "source %s removed, and its entries taken out of the catalogue\n", ids[0])
	}
	return nil
}
