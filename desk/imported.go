package desk

import "github.com/thaiarchives/archive/repository"

// keepImported keeps what a unit's form does not edit from the stored
// unit: the dates its finding aid wrote and the texts it kept internal. A
// save that carries them (an import) replaces them.
func keepImported(c, stored *repository.Collection) {
	old := stored.Description
	if old == nil || len(old.Dates) == 0 && len(old.Internal) == 0 {
		return
	}
	if c.Description == nil {
		c.Description = &repository.Description{}
	}
	if c.Description.Dates == nil {
		c.Description.Dates = old.Dates
	}
	if c.Description.Internal == nil {
		c.Description.Internal = old.Internal
	}
}
