package hazardlog

import (
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// A picture, shape or text box drawn over the sheet hides the cells under
// it: a white rectangle over a control, or a text box reading "Minor" over
// a severity, shows a CSO something else than the cell the gate reads.
// sheetDrawings finds the cells each of the sheet's drawings lies over, so
// that displayProblems can refuse those the gate reads.

const (
	// maxDrawings bounds the drawings one sheet's checks look at; past it
	// the sheet is refused rather than some being overlooked.
	maxDrawings = 1000
	// A drawing anchored by its size, not by a second cell, is placed over
	// Excel's default cells: 64 pixels wide, 20 high (in EMU, 9525 a pixel).
	defaultColEMU = 64 * 9525
	defaultRowEMU = 20 * 9525
)

// drawingBox is the cells a drawing lies over: 0-based, inclusive.
type drawingBox struct{ c1, r1, c2, r2 int }

// sheetDrawings reads the boxes of the sheet's DrawingML drawing part (the
// one its relationships name), none when it has none.
func sheetDrawings(f *excelize.File, data []byte, sheet string) ([]drawingBox, error) {
	part, err := sheetPart(f, data, sheet)
	if err != nil {
		return nil, err
	}
	dir := path.Dir(part)
	rels, err := readRels(f, dir+"/_rels/"+path.Base(part)+".rels")
	if err != nil {
		return nil, err
	}
	var boxes []drawingBox
	for _, rel := range rels {
		vml := strings.HasSuffix(rel.Type, "/relationships/vmlDrawing")
		if !vml && !strings.HasSuffix(rel.Type, "/relationships/drawing") {
			continue
		}
		target := path.Clean(dir + "/" + rel.Target)
		if strings.HasPrefix(rel.Target, "/") {
			target = path.Clean(rel.Target)
		}
		target = strings.TrimPrefix(target, "/")
		if !partExists(f, data, target) {
			continue // Excel shows no drawing it cannot find
		}
		r, closePart, err := openPart(f, data, target)
		if err != nil {
			return nil, err
		}
		scan := scanDrawing
		if vml {
			scan = scanVML
		}
		b, err := scan(r, f.CharsetReader)
		closePart()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", target, err)
		}
		boxes = append(boxes, b...)
		if len(boxes) > maxDrawings {
			return nil, fmt.Errorf("more than %d drawings over the sheet", maxDrawings)
		}
	}
	return boxes, nil
}

// scanDrawing reads a drawing part's anchors: a two-cell anchor covers its
// cells (the "to" cell only when the drawing reaches into it); a one-cell
// or absolute anchor covers from its place as far as its size reaches over
// default-sized cells.
func scanDrawing(r io.Reader, charset func(string, io.Reader) (io.Reader, error)) ([]drawingBox, error) {
	d := xml.NewDecoder(r)
	d.CharsetReader = charset
	type marker struct{ col, row, colOff, rowOff int64 }
	var (
		boxes          []drawingBox
		stack          []string
		kind           string // the anchor being read
		from, to       marker
		cx, cy, px, py int64
		field          *int64
		text           []byte
	)
	num := func(s string) int64 {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || n < 0 {
			return 0
		}
		return min(n, 1<<40)
	}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name, parent := t.Name.Local, ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			switch {
			case name == "twoCellAnchor" || name == "oneCellAnchor" || name == "absoluteAnchor":
				kind, from, to, cx, cy, px, py = name, marker{}, marker{}, 0, 0, 0, 0
			case kind != "" && parent == kind && name == "ext":
				cx, cy = num(attr(t.Attr, "cx")), num(attr(t.Attr, "cy"))
			case kind != "" && parent == kind && name == "pos":
				px, py = num(attr(t.Attr, "x")), num(attr(t.Attr, "y"))
			case kind != "" && (parent == "from" || parent == "to") && len(stack) >= 2 && stack[len(stack)-2] == kind:
				m := &from
				if parent == "to" {
					m = &to
				}
				switch name {
				case "col":
					field = &m.col
				case "row":
					field = &m.row
				case "colOff":
					field = &m.colOff
				case "rowOff":
					field = &m.rowOff
				}
				text = text[:0]
			}
			stack = append(stack, name)
		case xml.CharData:
			if field != nil && len(text) < 64 {
				text = append(text, t...)
			}
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, fmt.Errorf("unexpected end element </%s>", t.Name.Local)
			}
			name := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if field != nil {
				*field, field = num(string(text)), nil
			}
			if name != kind {
				continue
			}
			var b drawingBox
			switch kind {
			case "twoCellAnchor":
				b = drawingBox{int(from.col), int(from.row), int(to.col), int(to.row)}
				if to.colOff == 0 && to.col > from.col {
					b.c2--
				}
				if to.rowOff == 0 && to.row > from.row {
					b.r2--
				}
			case "oneCellAnchor":
				b = drawingBox{int(from.col), int(from.row),
					int(from.col + (from.colOff+cx)/defaultColEMU), int(from.row + (from.rowOff+cy)/defaultRowEMU)}
			default:
				b = drawingBox{int(px / defaultColEMU), int(py / defaultRowEMU), int((px + cx) / defaultColEMU), int((py + cy) / defaultRowEMU)}
			}
			b.c2, b.r2 = max(b.c1, b.c2), max(b.r1, b.r2)
			boxes = append(boxes, b)
			if len(boxes) > maxDrawings {
				return nil, fmt.Errorf("more than %d drawings", maxDrawings)
			}
			kind = ""
		}
	}
	return boxes, nil
}

// scanVML reads a legacy (VML) drawing part, where Excel keeps notes and
// form controls: each control, and each note shown all the time
// (<x:Visible/>), covers the cells of its <x:Anchor> (left column and
// offset, top row and offset, right column and offset, bottom row and
// offset; a right or bottom offset of 0 stops before that cell). Excel
// writes VML loosely, so it is read as HTML-like XML.
func scanVML(r io.Reader, charset func(string, io.Reader) (io.Reader, error)) ([]drawingBox, error) {
	d := xml.NewDecoder(r)
	d.CharsetReader = charset
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	var (
		boxes            []drawingBox
		inData, inAnchor bool
		note, visible    bool
		anchor           []byte
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch name := t.Name.Local; {
			case name == "ClientData":
				inData, visible, anchor = true, false, anchor[:0]
				note = strings.EqualFold(strings.TrimSpace(attr(t.Attr, "ObjectType")), "Note")
			case inData && name == "Visible":
				visible = true
			case inData && name == "Anchor":
				inAnchor = true
			}
		case xml.CharData:
			if inAnchor && len(anchor) < 256 {
				anchor = append(anchor, t...)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "Anchor":
				inAnchor = false
			case "ClientData":
				inData = false
				if note && !visible {
					continue // a note shows only when its cell is pointed at
				}
				var n [8]int
				parts := strings.Split(string(anchor), ",")
				if len(parts) != 8 {
					return nil, fmt.Errorf("a shape's anchor %.40q is not eight numbers", anchor)
				}
				for i, p := range parts {
					v, err := strconv.Atoi(strings.TrimSpace(p))
					if err != nil || v < 0 {
						return nil, fmt.Errorf("a shape's anchor %.40q is not eight numbers", anchor)
					}
					n[i] = min(v, 1<<30)
				}
				b := drawingBox{n[0], n[2], n[4], n[6]}
				if n[5] == 0 && b.c2 > b.c1 {
					b.c2--
				}
				if n[7] == 0 && b.r2 > b.r1 {
					b.r2--
				}
				b.c2, b.r2 = max(b.c1, b.c2), max(b.r1, b.r2)
				boxes = append(boxes, b)
				if len(boxes) > maxDrawings {
					return nil, fmt.Errorf("more than %d shapes", maxDrawings)
				}
			}
		}
	}
	return boxes, nil
}
