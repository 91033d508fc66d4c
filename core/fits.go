package core

import "github.com/transmute-go/transmute/internal/jsonscan"

// A typed step's input decoded straight from JSON by encoding/json (the
// fast path of MigrateJSON) must be what the record path would decode:
// encoding/json ignores fields a struct does not declare and leaves a
// missing or null field at its zero value, where the record path refuses
// them (RegisterTyped's rule). The fits functions of the codecs check the
// JSON text for that, reading only the values that hold structs; a false
// sends the record to the record path, which says what is wrong.

// fitsObject reports whether the JSON object b has only fields the struct
// declares (and the version key vk, at the top), all the required ones,
// no null where a field cannot hold one, and values that fit their
// fields' types.
func (sc *structCodec) fitsObject(b []byte, vk string) bool {
	var buf [32]jsonscan.Member
	ms, ok := jsonscan.Members(b, buf[:0])
	if !ok {
		return false
	}
	required := 0
	for _, mb := range ms {
		if vk != "" && string(mb.Key) == vk {
			continue
		}
		i, ok := sc.names[string(mb.Key)]
		if !ok {
			return false
		}
		f, v := &sc.fields[i], b[mb.ValStart:mb.ValEnd]
		switch {
		case string(v) == "null":
			if !f.nullable {
				return false
			}
		case sc.codecs[i].fits != nil && !sc.codecs[i].fits(v):
			return false
		}
		if f.required {
			required++
		}
	}
	return required == sc.required
}

// pointerFits: null, or what the element fits.
func pointerFits(elem *codec) func([]byte) bool {
	return func(b []byte) bool {
		return elem.fits == nil || string(b) == "null" || elem.fits(b)
	}
}

// listFits: each element fits (null only where the element is a pointer).
func listFits(elem *codec) func([]byte) bool {
	return func(b []byte) bool {
		if elem.fits == nil {
			return true
		}
		return jsonscan.Elements(b, elem.fits)
	}
}

// mapFits: each value fits.
func mapFits(elem *codec) func([]byte) bool {
	return func(b []byte) bool {
		if elem.fits == nil {
			return true
		}
		var buf [32]jsonscan.Member
		ms, ok := jsonscan.Members(b, buf[:0])
		if !ok {
			return false
		}
		for _, mb := range ms {
			if !elem.fits(b[mb.ValStart:mb.ValEnd]) {
				return false
			}
		}
		return true
	}
}
