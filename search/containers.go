package search

import "github.com/thaiarchives/archive/repository"

// containerWords are how a unit's containers are called, in the words as
// written ("Box 12, Folder 3") and in Thai ("กล่อง 12, แฟ้ม 3"), so that
// a reader who searches either finds what is in them. Barcodes, shelf
// locations and containers kept for the library's staff are not indexed.
func containerWords(c *repository.Collection) []string {
	if c.Description == nil || len(c.Description.Containers) == 0 {
		return nil
	}
	refs := repository.Published(c.Description.Containers)
	if len(refs) == 0 {
		return nil
	}
	out := repository.ContainerNames(refs, "en")
	for _, th := range repository.ContainerNames(refs, "th") {
		if th != out[0] {
			out = append(out, th)
		}
	}
	return out
}
