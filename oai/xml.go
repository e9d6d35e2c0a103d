package oai

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/url"
	"slices"
	"time"
)

// Namespaces of the response and of oai_dc.
const (
	nsOAI   = "http://www.openarchives.org/OAI/2.0/"
	nsXSI   = "http://www.w3.org/2001/XMLSchema-instance"
	nsOAIDC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
	nsDC    = "http://purl.org/dc/elements/1.1/"
)

// Error codes (§3.6).
const (
	badArgument             = "badArgument"
	badResumptionToken      = "badResumptionToken"
	badVerb                 = "badVerb"
	cannotDisseminateFormat = "cannotDisseminateFormat"
	idDoesNotExist          = "idDoesNotExist"
	noRecordsMatch          = "noRecordsMatch"
	noSetHierarchy          = "noSetHierarchy"
)

// protocolError is an OAI-PMH error condition, answered in the body.
type protocolError struct {
	Code    string `xml:"code,attr"`
	Message string `xml:",chardata"`
}

func (e *protocolError) Error() string { return e.Code + ": " + e.Message }

func protoErr(code, format string, a ...any) error {
	return &protocolError{Code: code, Message: fmt.Sprintf(format, a...)}
}

// response is the OAI-PMH element; one of the verb elements or Error is set.
// Prefixed names are written as they are: encoding/xml would otherwise
// declare a namespace on every element.
type response struct {
	XMLName        xml.Name `xml:"OAI-PMH"`
	Xmlns          string   `xml:"xmlns,attr"`
	XmlnsXSI       string   `xml:"xmlns:xsi,attr"`
	SchemaLocation string   `xml:"xsi:schemaLocation,attr"`
	ResponseDate   string   `xml:"responseDate"`
	Request        echo     `xml:"request"`

	Error               *protocolError       `xml:"error"`
	Identify            *identify            `xml:"Identify"`
	ListMetadataFormats *listMetadataFormats `xml:"ListMetadataFormats"`
	ListSets            *listSets            `xml:"ListSets"`
	GetRecord           *getRecord           `xml:"GetRecord"`
	ListIdentifiers     *listIdentifiers     `xml:"ListIdentifiers"`
	ListRecords         *listRecords         `xml:"ListRecords"`
}

// echo is the request element: the base URL, and the arguments as attributes.
type echo struct {
	Attrs []xml.Attr `xml:",any,attr"`
	URL   string     `xml:",chardata"`
}

// attributes are the arguments in name order; only checked arguments
// (verb and its own) reach here, so every name is an XML name.
func attributes(args url.Values) []xml.Attr {
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]xml.Attr, 0, len(keys))
	for _, k := range keys {
		out = append(out, xml.Attr{Name: xml.Name{Local: k}, Value: args.Get(k)})
	}
	return out
}

type identify struct {
	RepositoryName    string `xml:"repositoryName"`
	BaseURL           string `xml:"baseURL"`
	ProtocolVersion   string `xml:"protocolVersion"`
	AdminEmail        string `xml:"adminEmail"`
	EarliestDatestamp string `xml:"earliestDatestamp"`
	DeletedRecord     string `xml:"deletedRecord"`
	Granularity       string `xml:"granularity"`
}

type listMetadataFormats struct {
	Formats []metadataFormat `xml:"metadataFormat"`
}

type metadataFormat struct {
	Prefix    string `xml:"metadataPrefix"`
	Schema    string `xml:"schema"`
	Namespace string `xml:"metadataNamespace"`
}

type listSets struct {
	Sets []set `xml:"set"`
}

type set struct {
	Spec string `xml:"setSpec"`
	Name string `xml:"setName"`
}

type getRecord struct {
	Record record `xml:"record"`
}

type listIdentifiers struct {
	Headers         []header         `xml:"header"`
	ResumptionToken *resumptionToken `xml:"resumptionToken"`
}

type listRecords struct {
	Records         []record         `xml:"record"`
	ResumptionToken *resumptionToken `xml:"resumptionToken"`
}

type record struct {
	Header   header    `xml:"header"`
	Metadata *metadata `xml:"metadata"`
}

type header struct {
	Status     string   `xml:"status,attr,omitempty"`
	Identifier string   `xml:"identifier"`
	Datestamp  string   `xml:"datestamp"`
	SetSpecs   []string `xml:"setSpec"`
}

type metadata struct {
	DC *dublinCore `xml:"oai_dc:dc"`
	// Raw is a finding aid's EAD3 document, written as it is (ead.go).
	Raw string `xml:",innerxml"`
}

// resumptionToken is empty (with its cursor) on the last page of a list
// that was resumed (§3.5).
type resumptionToken struct {
	Cursor int    `xml:"cursor,attr"`
	Value  string `xml:",chardata"`
}

// dublinCore is an oai_dc record, its elements in the order of the schema's
// examples.
type dublinCore struct {
	XMLName        xml.Name `xml:"oai_dc:dc"`
	XmlnsOAIDC     string   `xml:"xmlns:oai_dc,attr"`
	XmlnsDC        string   `xml:"xmlns:dc,attr"`
	XmlnsXSI       string   `xml:"xmlns:xsi,attr"`
	SchemaLocation string   `xml:"xsi:schemaLocation,attr"`

	Title       []dcValue `xml:"dc:title"`
	Creator     []dcValue `xml:"dc:creator"`
	Subject     []dcValue `xml:"dc:subject"`
	Description []dcValue `xml:"dc:description"`
	Publisher   []dcValue `xml:"dc:publisher"`
	Date        []dcValue `xml:"dc:date"`
	Type        []dcValue `xml:"dc:type"`
	Format      []dcValue `xml:"dc:format"`
	Identifier  []dcValue `xml:"dc:identifier"`
	Language    []dcValue `xml:"dc:language"`
	Rights      []dcValue `xml:"dc:rights"`
	Relation    []dcValue `xml:"dc:relation"`
	Coverage    []dcValue `xml:"dc:coverage"`
}

// dcValue is one Dublin Core element, in a language or none.
type dcValue struct {
	Lang  string `xml:"xml:lang,attr,omitempty"`
	Value string `xml:",chardata"`
}

func datestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func encode(resp *response) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", " ")
	if err := enc.Encode(resp); err != nil {
		return nil, fmt.Errorf("oai: encoding the response: %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}
