package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/thaiarchives/archive/repository"
)

// TestAnAnnotationDrawnForAGroupIsReadByItsMembersOnly: a reader draws a
// note and addresses it to their research team from the viewer's form; a
// member of the team sees it on the page, a reader outside it does not.
func TestAnAnnotationDrawnForAGroupIsReadByItsMembersOnly(t *testing.T) {
	e, base := serveEnv(t)
	author := addUser(t, e.store, "reader@cmu.example", "cmu", "reader")
	member := addUser(t, e.store, "member@tu.example", "tu", "reader")
	addUser(t, e.store, "outsider@tu.example", "tu", "reader")
	team := &repository.Group{Name: repository.Text{"th": "ทีมวิจัยล้านนา"}, Owner: author.ID, Members: []string{member.ID}}
	if err := e.store.SaveGroup(context.Background(), team); err != nil {
		t.Fatal(err)
	}
	item := strings.TrimSuffix(e.image, "-1")
	ctx := browser(t)
	annotatePage(t, ctx, base, "reader@cmu.example", item, "th")
	drawRectangle(t, ctx)
	note := "ลายมือของเจ้าอาวาส"
	write(t, ctx, "anno-note", note)
	group := `input[name="anno-audience"][value="` + repository.AudienceGroup(team.ID) + `"]`
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(group)), chromedp.Click(chromedp.ID("anno-save"))); err != nil {
		t.Fatalf("choosing the team and saving: %v", err)
	}
	annoListed(t, ctx, note, true)
	items := container(t, ctx, item)
	if len(items) != 1 || items[0]["audience"] != repository.AudienceGroup(team.ID) {
		t.Fatalf("the container holds %v", items)
	}
	for who, sees := range map[string]bool{"member@tu.example": true, "outsider@tu.example": false} {
		other := browser(t)
		annotatePage(t, other, base, who, item, "en")
		annoListed(t, other, note, sees)
	}
}
