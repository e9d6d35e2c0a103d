package search

import "github.com/thaiarchives/archive/repository"

// containerWords are how a unit's containers are called, in the words as
// written ("Box 12, Folder 3") and in Thai ("กล่อง 12, แฟ้ม 3"), so that
// a reader who searches either finds what is in them. Barcodes and shelf
// locations are staff information and are not indexed.
func containerWords(c *repository.Collection) []string {
	if c.Description == nil || len(c.Description.Containers) == 0 {
		return nil
	}
	out := repository.ContainerNames(c.Description.Containers, "en")
	for _, th := range repository.ContainerNames(c.Description.Containers, "th") {
		if th != out[0] {
			out = append(out, th)
		}
	}
	return out
}
