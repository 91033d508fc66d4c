package pgmigrate

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"

	"github.com/transmute-go/transmute/core"
)

// Doc is a JSON document column (json, jsonb or text) as a record: Scan
// decodes one JSON object with [core.DecodeJSON] (integers exact, as
// json.Number), and Value writes Data back as a JSON object. A SQL NULL
// is a nil Data, and a nil Data is written as NULL. Scan into a *Doc with
// pgx or database/sql.
type Doc struct {
	Data core.Data
}

// ScanBytes decodes the column's text (pgx calls it, with bytes it owns).
func (d *Doc) ScanBytes(src []byte) error {
	if src == nil {
		d.Data = nil
		return nil
	}
	data, err := core.DecodeJSON(src)
	if err != nil {
		return err
	}
	d.Data = data
	return nil
}

// Scan implements [database/sql.Scanner]: src is a string, []byte or nil.
func (d *Doc) Scan(src any) error {
	switch s := src.(type) {
	case nil:
		d.Data = nil
		return nil
	case []byte:
		return d.ScanBytes(s)
	case string:
		return d.ScanBytes([]byte(s))
	}
	return &core.DecodeError{Reason: "the column gave a value that is not text"}
}

// Value implements [database/sql/driver.Valuer]: the record as a JSON
// object, HTML characters as they are, or NULL for a nil Data.
func (d Doc) Value() (driver.Value, error) {
	if d.Data == nil {
		return nil, nil
	}
	return encode(d.Data)
}

// encode writes a record as JSON, HTML characters left as they are.
func encode(d core.Data) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), nil
}
