package hazardlog

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Colours as Excel shows them, for the display checks (xlsxdisplay.go):
// a font's and a fill's colour resolved from ARGB, theme and palette, and
// whether text of one can be read on the other.

// fontRGB is the text colour of a font: Excel's automatic black when the
// font sets none; why says when it cannot be told.
func fontRGB(f *excelize.File, fontID *int) (text, why string) {
	if fontID == nil {
		return "000000", ""
	}
	if f.Styles.Fonts == nil || *fontID < 0 || *fontID >= len(f.Styles.Fonts.Font) {
		// What Excel shows when it repairs the file cannot be told.
		return "000000", "its font is not one the workbook has, so how it looks cannot be told"
	}
	font := f.Styles.Fonts.Font[*fontID]
	if font == nil || font.Color == nil {
		return "000000", ""
	}
	c := font.Color
	text, ok := colourRGB(f, c.Auto, c.RGB, c.Indexed, c.Theme, c.Tint, "000000")
	if !ok {
		return text, "its font colour is not one Excel can show, so how it looks cannot be told"
	}
	return text, ""
}

// fontSize is a font's size in points, when it gives one (NaN for one
// that is no number).
func fontSize(f *excelize.File, fontID *int) (float64, bool) {
	if fontID == nil || f.Styles.Fonts == nil || *fontID < 0 || *fontID >= len(f.Styles.Fonts.Font) {
		return 0, false
	}
	font := f.Styles.Fonts.Font[*fontID]
	if font == nil || font.Sz == nil || font.Sz.Val == nil {
		return 0, false
	}
	return *font.Sz.Val, true
}

// fillRGB is the colour of a fill: white when none; "" for a pattern or
// gradient whose look the gate does not work out; why says when it cannot
// be told.
func fillRGB(f *excelize.File, fillID *int) (fill, why string) {
	if fillID == nil {
		return "FFFFFF", ""
	}
	if f.Styles.Fills == nil || *fillID < 0 || *fillID >= len(f.Styles.Fills.Fill) {
		return "FFFFFF", "its fill is not one the workbook has, so how it looks cannot be told"
	}
	fl := f.Styles.Fills.Fill[*fillID]
	switch {
	case fl == nil:
	case fl.GradientFill != nil:
		return "", ""
	case fl.PatternFill != nil:
		switch pf := fl.PatternFill; pf.PatternType {
		case "", "none":
		case "solid":
			// A solid fill with no colour, or an automatic one, is the
			// system's foreground: black.
			c := pf.FgColor
			if c == nil {
				return "000000", ""
			}
			fill, ok := colourRGB(f, c.Auto, c.RGB, c.Indexed, c.Theme, c.Tint, "000000")
			if !ok {
				return fill, "its fill colour is not one Excel can show, so how it looks cannot be told"
			}
			return fill, ""
		default:
			return "", ""
		}
	}
	return "FFFFFF", ""
}

// unreadableOn says why text of one colour cannot be read on a fill of
// another; "" when it can.
func unreadableOn(text, fill string) string {
	if r, ok := contrast(text, fill); ok && r < minContrast {
		return fmt.Sprintf("its text colour #%s on its fill #%s cannot be read (contrast %.2f to 1)", text, fill, r)
	}
	return ""
}

// unreadableAny is unreadableOn for each text colour on each fill a cell
// may be shown with.
func unreadableAny(texts, fills []string) string {
	for _, t := range texts {
		for _, fl := range fills {
			if why := unreadableOn(t, fl); why != "" {
				return why
			}
		}
	}
	return ""
}

// minContrast is the contrast ratio (as WCAG computes it, 1 to 21) under
// which text is taken as unreadable on its background: white on white is 1,
// pale yellow on white about 1.07, black on white 21.
const minContrast = 1.5

// colourRGB is a colour of the workbook's styles as six hex digits, as
// Excel shows it: an ARGB value (its alpha ignored, as Excel does), a theme
// colour with its tint, or a legacy palette index (64 is the system's text
// colour, 65 its background). fallback stands for an automatic colour; ok
// is false for a colour Excel cannot show (a theme or palette index it does
// not have, an RGB value that is not one), which fails closed.
func colourRGB(f *excelize.File, auto bool, argb string, indexed int, theme *int, tint float64, fallback string) (string, bool) {
	var base string
	switch {
	case auto:
		return fallback, true
	case math.IsNaN(tint) || tint < -1 || tint > 1:
		return fallback, false // Excel's tints run from -1 (black) to 1 (white)
	case theme != nil:
		var ok bool
		if base, ok = themeRGB(f, *theme); !ok {
			return fallback, false
		}
	case argb != "":
		base = argb
		if len(base) == 8 {
			base = base[2:]
		}
		if _, err := strconv.ParseUint(base, 16, 32); err != nil || len(base) != 6 {
			return fallback, false
		}
	default:
		var ok bool
		if base, ok = indexedRGB(f, indexed); !ok {
			return fallback, false
		}
	}
	if tint != 0 {
		if t := excelize.ThemeColor(base, tint); len(t) == 8 {
			base = t[2:]
		}
	}
	return strings.ToUpper(base), true
}

// officeTheme is the Office theme's colours, by the index a theme colour
// names (light 1 and dark 1 first, as Excel numbers them), which Excel shows
// where the workbook has no theme or its theme does not say.
var officeTheme = []string{"FFFFFF", "000000", "E7E6E6", "44546A", "4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "70AD47", "0563C1", "954F72"}

// themeRGB is the theme colour of an index (0 light 1, 1 dark 1, 2 light 2,
// 3 dark 2, 4-9 the accents, 10-11 the hyperlinks): the workbook theme's,
// else the Office theme's.
func themeRGB(f *excelize.File, index int) (string, bool) {
	if index < 0 || index >= len(officeTheme) {
		return "", false
	}
	if f == nil || f.Theme == nil || index >= 10 {
		return officeTheme[index], true
	}
	// excelize resolves 0-9 (an RGB value, or a system colour's last
	// value); an index past its palette makes it answer "" when the theme
	// does not say.
	base := f.GetBaseColor("", math.MaxInt32, &index)
	if base == "" {
		return officeTheme[index], true
	}
	if _, err := strconv.ParseUint(base, 16, 32); err != nil || len(base) != 6 {
		return "", false
	}
	return base, true
}

// indexedRGB is a legacy palette colour: the workbook's own palette where
// it gives one, else Excel's; 64 and 65 are the system's text and
// background colours.
func indexedRGB(f *excelize.File, index int) (string, bool) {
	switch {
	case index == 64:
		return "000000", true
	case index == 65:
		return "FFFFFF", true
	case index < 0 || index >= len(excelize.IndexedColorMapping):
		return "", false
	}
	if f != nil && f.Styles != nil && f.Styles.Colors != nil && f.Styles.Colors.IndexedColors != nil && index < len(f.Styles.Colors.IndexedColors.RgbColor) {
		base := f.Styles.Colors.IndexedColors.RgbColor[index].RGB
		if len(base) == 8 {
			base = base[2:]
		}
		if _, err := strconv.ParseUint(base, 16, 32); err != nil || len(base) != 6 {
			return "", false
		}
		return strings.ToUpper(base), true
	}
	return excelize.IndexedColorMapping[index], true
}

// relativeLuminance of six hex digits, as WCAG defines it.
func relativeLuminance(hex string) (float64, bool) {
	if len(hex) != 6 {
		return 0, false
	}
	v, err := strconv.ParseUint(hex, 16, 32)
	if err != nil {
		return 0, false
	}
	channel := func(x uint64) float64 {
		s := float64(x) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*channel(v>>16&0xff) + 0.7152*channel(v>>8&0xff) + 0.0722*channel(v&0xff), true
}

// contrast is the WCAG contrast ratio of two colours (six hex digits each).
func contrast(a, b string) (float64, bool) {
	la, ok1 := relativeLuminance(a)
	lb, ok2 := relativeLuminance(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05), true
}
