// Package bolt is the archive's metadata store on bbolt: the records of
// package repository, their versions, indexes, change feed and event
// trail. Every record is also written to blob storage as JSON before it is
// registered, so the store can be rebuilt from storage alone (Rebuild), and
// a replica can follow a writer through storage (OpenReplica).
package bolt

import "github.com/thaiarchives/archive/repository"

// Seed is the three libraries that founded the archive.
var seed = []repository.Institution{
	{ID: "cmu", Name: repository.Text{"th": "มหาวิทยาลัยเชียงใหม่", "en": "Chiang Mai University"}, Homepage: "https://library.cmu.ac.th/"},
	{ID: "tu", Name: repository.Text{"th": "มหาวิทยาลัยธรรมศาสตร์", "en": "Thammasat University"}, Homepage: "https://library.tu.ac.th/"},
	{ID: "chula", Name: repository.Text{"th": "จุฬาลงกรณ์มหาวิทยาลัย", "en": "Chulalongkorn University"}, Homepage: "https://www.car.chula.ac.th/"},
}
