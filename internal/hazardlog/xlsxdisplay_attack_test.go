package hazardlog

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// stylesXML is a styles part holding the given fonts, fills, cell formats
// and the rest (numFmts, cellStyleXfs, dxfs), as a crafted workbook or
// another spreadsheet program writes them.
func stylesXML(numFmts, fonts, fills, styleXfs, cellXfs, dxfs string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` +
		`<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
		numFmts +
		`<fonts><font><sz val="11"/><color theme="1"/><name val="Calibri"/></font>` + fonts + `</fonts>` +
		`<fills><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>` + fills + `</fills>` +
		`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
		`<cellStyleXfs><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>` + styleXfs + `</cellStyleXfs>` +
		`<cellXfs><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` + cellXfs + `</cellXfs>` +
		`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
		dxfs + `</styleSheet>`
}

// styledDisplayTable is displayTable with its styles part replaced and the
// cells named given style 1 (the first cell format after the default).
func styledDisplayTable(t *testing.T, styles string, sheetEdit func(string) string, cells ...string) []byte {
	t.Helper()
	wb := withPart(t, buildXLSX(t, displayTable()), "xl/styles.xml", func(string) string { return styles })
	return withPart(t, wb, "xl/worksheets/sheet1.xml", func(s string) string {
		for _, ref := range cells {
			s = strings.Replace(s, `<c r="`+ref+`"`, `<c r="`+ref+`" s="1"`, 1)
		}
		if sheetEdit != nil {
			s = sheetEdit(s)
		}
		return s
	})
}

func numFmtXML(code string) string {
	return `<numFmts><numFmt numFmtId="164" formatCode="` + strings.NewReplacer(`&`, `&amp;`, `"`, `&quot;`, `<`, `&lt;`).Replace(code) + `"/></numFmts>`
}

// TestDisplayAttacks: crafted styles and sheets that show a CSO in Excel
// something other than what the gate reads, in cells the gate reads.
func TestDisplayAttacks(t *testing.T) {
	t.Parallel()
	cond := func(sqref, dxfID string) func(string) string {
		return func(s string) string {
			return strings.Replace(s, "</sheetData>", `</sheetData><conditionalFormatting sqref="`+sqref+`"><cfRule type="expression" dxfId="`+dxfID+`" priority="1"><formula>TRUE</formula></cfRule></conditionalFormatting>`, 1)
		}
	}
	tests := []struct {
		name string
		data func(t *testing.T) []byte
		want string // "" when the log must be read as before
	}{
		{
			name: "a number format that paints the text white",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML(numFmtXML(`[White]@`), "", "", "", `<xf numFmtId="164" fontId="0" fillId="0" xfId="0" applyNumberFormat="1"/>`, ""), nil, "I4")
			},
			want: `cell I4: Excel does not show this cell as stored`,
		},
		{
			name: "a number format that paints a number in palette white",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML(numFmtXML(`[Color2]General`), "", "", "", `<xf numFmtId="164" fontId="0" fillId="0" xfId="0" applyNumberFormat="1"/>`, ""), nil, "A4")
			},
			want: `cell A4: Excel does not show this cell as stored`,
		},
		{
			name: "a number format that paints text yellow on white",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML(numFmtXML(`0;-0;0;[Yellow]@`), "", "", "", `<xf numFmtId="164" fontId="0" fillId="0" xfId="0" applyNumberFormat="1"/>`, ""), nil, "E4")
			},
			want: `cell E4: Excel does not show this cell as stored`,
		},
		{
			name: "a number format that escapes a digit with !",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML(numFmtXML(`0!0`), "", "", "", `<xf numFmtId="164" fontId="0" fillId="0" xfId="0" applyNumberFormat="1"/>`, ""), nil, "A4")
			},
			want: `cell A4: Excel does not show this cell as stored`,
		},
		{
			name: "a number format that shows the text twice",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML(numFmtXML(`@@`), "", "", "", `<xf numFmtId="164" fontId="0" fillId="0" xfId="0" applyNumberFormat="1"/>`, ""), nil, "G4")
			},
			want: `cell G4: Excel does not show this cell as stored`,
		},
		{
			name: "a hazard number shown as a date",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML(numFmtXML(`[$-809]dd/mm/yyyy;@`), "", "", "", `<xf numFmtId="164" fontId="0" fillId="0" xfId="0" applyNumberFormat="1"/>`, ""), nil, "A4")
			},
			want: `cell A4: Excel does not show this cell as stored: its number format "[$-809]dd/mm/yyyy;@" shows the number as a date or time`,
		},
		{
			name: "a hazard number in Excel's own percent format",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", "", "", `<xf numFmtId="9" fontId="0" fillId="0" xfId="0" applyNumberFormat="1"/>`, ""), nil, "A4")
			},
			want: `cell A4: Excel does not show this cell as stored: its number format "0%" shows the number scaled`,
		},
		{
			name: "a hazard number in Excel's own date format",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", "", "", `<xf numFmtId="14" fontId="0" fillId="0" xfId="0" applyNumberFormat="1"/>`, ""), nil, "A4")
			},
			want: `cell A4: Excel does not show this cell as stored: its number format "yyyy-mm-dd" shows the number as a date`,
		},
		{
			name: "two number formats with one id, the first hiding the text",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML(`<numFmts><numFmt numFmtId="164" formatCode=";;;"/><numFmt numFmtId="164" formatCode="General"/></numFmts>`, "", "", "", `<xf numFmtId="164" fontId="0" fillId="0" xfId="0" applyNumberFormat="1"/>`, ""), nil, "I4")
			},
			want: `cell I4: Excel does not show this cell as stored`,
		},
		{
			name: "a cell style's number format taken where the cell format does not apply its own",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML(numFmtXML(`;;;"Minor"`), "", "", `<xf numFmtId="164" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>`, `<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="1" applyNumberFormat="0"/>`, ""), nil, "E4")
			},
			want: `cell E4: Excel does not show this cell as stored`,
		},
		{
			name: "a cell style's white font taken where the cell format does not apply its own",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", `<font><color rgb="FFFFFFFF"/></font>`, "", `<xf numFmtId="0" fontId="1" fillId="0" borderId="0" applyFont="1"/>`, `<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="1" applyFont="0"/>`, ""), nil, "I4")
			},
			want: `cell I4: Excel does not show this cell as stored`,
		},
		{
			name: "a solid fill with no colour is black, under black text",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", `<fill><patternFill patternType="solid"/></fill>`, "", `<xf numFmtId="0" fontId="0" fillId="2" xfId="0" applyFill="1"/>`, ""), nil, "I4")
			},
			want: `cell I4: Excel does not show this cell as stored`,
		},
		{
			name: "a negative palette index",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", `<font><color indexed="-1"/></font>`, "", "", `<xf numFmtId="0" fontId="1" fillId="0" xfId="0" applyFont="1"/>`, ""), nil, "I4")
			},
			want: `cell I4: Excel does not show this cell as stored`,
		},
		{
			name: "a conditional fill the colour of the cell's own text",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", `<font><color rgb="FFC00000"/></font>`, "", "", `<xf numFmtId="0" fontId="1" fillId="0" xfId="0" applyFont="1"/>`,
					`<dxfs count="1"><dxf><fill><patternFill><bgColor rgb="FFC00000"/></patternFill></fill></dxf></dxfs>`), cond("I4", "0"), "I4")
			},
			want: `range I4: Excel may not show these cells as stored`,
		},
		{
			name: "a conditional solid fill whose foreground is black",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", "", "", "",
					`<dxfs count="1"><dxf><fill><patternFill patternType="solid"><fgColor rgb="FF000000"/><bgColor rgb="FFFFFFFF"/></patternFill></fill></dxf></dxfs>`), cond("I4", "0"))
			},
			want: `range I4: Excel may not show these cells as stored`,
		},
		{
			name: "a row hidden behind an attribute of another namespace",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", "", "", "", ""), func(s string) string {
					return strings.Replace(s, `<row r="5">`, `<row r="5" xmlns:foo="urn:foo" foo:hidden="0" hidden="1">`, 1)
				})
			},
			want: `<row> has an attribute foo:hidden in another namespace, which Excel ignores`,
		},
		{
			name: "a cell's style behind an attribute of another namespace",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", `<font><color rgb="FFFFFFFF"/></font>`, "", "", `<xf numFmtId="0" fontId="1" fillId="0" xfId="0" applyFont="1"/>`, ""), func(s string) string {
					return strings.Replace(s, `<c r="I4"`, `<c r="I4" s="1" xmlns:foo="urn:foo" foo:s="0"`, 1)
				})
			},
			want: `<c> has an attribute foo:s in another namespace, which Excel ignores`,
		},
		{
			name: "a row hidden by the second of two hidden attributes",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", "", "", "", ""), func(s string) string {
					return strings.Replace(s, `<row r="5">`, `<row r="5" hidden="0" hidden="1">`, 1)
				})
			},
			want: `<row> has the attribute hidden twice`,
		},
		{
			name: "a row too low to read without customHeight",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", "", "", "", ""), func(s string) string {
					return strings.Replace(s, `<row r="5">`, `<row r="5" ht="0.5">`, 1)
				})
			},
			want: `cell A5: this cell is in a row Excel hides`,
		},
		{
			name: "columns of no width by the sheet's default",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", "", "", "", ""), func(s string) string {
					return strings.Replace(s, `<sheetFormatPr defaultRowHeight="15">`, `<sheetFormatPr defaultRowHeight="15" defaultColWidth="0">`, 1)
				})
			},
			want: `this cell is in a column Excel hides`,
		},
		{
			name: "a rich text run in white",
			data: func(t *testing.T) []byte {
				wb := buildXLSX(t, displayTable())
				return withPart(t, wb, "xl/sharedStrings.xml", func(s string) string {
					return strings.Replace(s, `<si><t>Search shows the NHS number</t></si>`,
						`<si><r><t>Search shows the NHS number</t></r><r><rPr><color rgb="FFFFFFFF"/></rPr><t> and the date of birth</t></r></si>`, 1)
				})
			},
			want: `cell I4: Excel does not show this cell as stored`,
		},
		{
			name: "a control under a merged cell, which Excel does not show",
			data: func(t *testing.T) []byte {
				return withMerges(t, buildXLSX(t, displayTable()), `<mergeCells count="1"><mergeCell ref="H4:I4"/></mergeCells>`)
			},
			want: `sheet "Hazard Log" cell I4: this cell lies under the merged cell H4`,
		},
		{
			name: "residual scores under a merged initial likelihood",
			data: func(t *testing.T) []byte {
				return withMerges(t, buildXLSX(t, displayTable()), `<mergeCells count="1"><mergeCell ref="D4:F4"/></mergeCells>`)
			},
			want: `sheet "Hazard Log" cell E4: this cell lies under the merged cell D4`,
		},
		{
			name: "a data bar that shows no value over the residual scores",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", "", "", "", ""), func(s string) string {
					return strings.Replace(s, "</sheetData>", `</sheetData><conditionalFormatting sqref="E4:F5"><cfRule type="dataBar" priority="1"><dataBar showValue="0"><cfvo type="min"/><cfvo type="max"/><color rgb="FF638EC6"/></dataBar></cfRule></conditionalFormatting>`, 1)
				})
			},
			want: `range E4:F5: Excel may not show these cells as stored: conditional formatting shows a bar or icons instead of the value`,
		},
		{
			name: "icons that show no value over the hazard numbers",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", "", "", "", ""), func(s string) string {
					return strings.Replace(s, "</sheetData>", `</sheetData><conditionalFormatting sqref="A4:A5"><cfRule type="iconSet" priority="1"><iconSet iconSet="3Arrows" showValue="false"><cfvo type="percent" val="0"/><cfvo type="percent" val="33"/><cfvo type="percent" val="67"/></iconSet></cfRule></conditionalFormatting>`, 1)
				})
			},
			want: `range A4:A5: Excel may not show these cells as stored: conditional formatting shows a bar or icons instead of the value`,
		},
		{
			name: "a font too small to read",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", `<font><sz val="1"/><name val="Calibri"/></font>`, "", "", `<xf numFmtId="0" fontId="1" fillId="0" xfId="0" applyFont="1"/>`, ""), nil, "I4")
			},
			want: `cell I4: Excel does not show this cell as stored: its font is too small to read (1 pt)`,
		},
		{
			name: "a rich text run too small to read",
			data: func(t *testing.T) []byte {
				wb := buildXLSX(t, displayTable())
				return withPart(t, wb, "xl/sharedStrings.xml", func(s string) string {
					return strings.Replace(s, `<si><t>Search shows the NHS number</t></si>`,
						`<si><r><t>Search shows the NHS number</t></r><r><rPr><sz val="0.5"/></rPr><t> and the date of birth</t></r></si>`, 1)
				})
			},
			want: `cell I4: Excel does not show this cell as stored: part of its text is too small to read (0.5 pt)`,
		},
		{
			name: "every row too low by the sheet's default",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", "", "", "", ""), func(s string) string {
					return strings.Replace(s, `<sheetFormatPr defaultRowHeight="15">`, `<sheetFormatPr defaultRowHeight="0.5" customHeight="1">`, 1)
				})
			},
			want: `this cell is in a row Excel hides`,
		},
		{
			name: "a hazard number 0 the sheet does not show",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", "", "", "", ""), func(s string) string {
					s = strings.Replace(s, `<sheetView tabSelected="true" workbookViewId="0">`, `<sheetView tabSelected="true" showZeros="0" workbookViewId="0">`, 1)
					return strings.Replace(s, `<c r="A4"><v>1</v></c>`, `<c r="A4"><v>0</v></c>`, 1)
				})
			},
			want: `cell A4: Excel does not show this cell as stored: the sheet does not show zeros`,
		},
		{
			name: "an Excel 2010 conditional format that turns the text white",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", "", "", "", ""), func(s string) string {
					return strings.Replace(s, "</sheetData>", `</sheetData><extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:conditionalFormattings><x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:cfRule type="expression" priority="1" id="{00000000-0000-0000-0000-000000000001}"><xm:f>TRUE</xm:f><x14:dxf><font><color rgb="FFFFFFFF"/></font></x14:dxf></x14:cfRule><xm:sqref>I4 E4:E5</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>`, 1)
				})
			},
			want: `range I4 E4:E5: Excel may not show these cells as stored: conditional formatting gives it text that cannot be read`,
		},
		{
			name: "an Excel 2010 conditional format that shows another word",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", "", "", "", ""), func(s string) string {
					return strings.Replace(s, "</sheetData>", `</sheetData><extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:conditionalFormattings><x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:cfRule type="expression" priority="1" id="{00000000-0000-0000-0000-000000000001}"><xm:f>TRUE</xm:f><x14:dxf><numFmt numFmtId="164" formatCode=";;;&quot;Minor&quot;"/></x14:dxf></x14:cfRule><xm:sqref>I4 E4:E5</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>`, 1)
				})
			},
			want: `range I4 E4:E5: Excel may not show these cells as stored: conditional formatting shows it through the number format ";;;\"Minor\""`,
		},
		{
			name: "Excel 2010 icons that show no value",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", "", "", "", ""), func(s string) string {
					return strings.Replace(s, "</sheetData>", `</sheetData><extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:conditionalFormattings><x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:cfRule type="iconSet" priority="1" id="{00000000-0000-0000-0000-000000000001}"><x14:iconSet iconSet="3Triangles" showValue="0"><x14:cfvo type="percent"><xm:f>0</xm:f></x14:cfvo></x14:iconSet></x14:cfRule><xm:sqref>I4 E4:E5</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>`, 1)
				})
			},
			want: `range I4 E4:E5: Excel may not show these cells as stored: conditional formatting shows a bar or icons instead of the value`,
		},
		{
			name: "a rule whitening the text of filled and unfilled cells",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", `<fill><patternFill patternType="solid"><fgColor rgb="FFC00000"/></patternFill></fill>`, "",
					`<xf numFmtId="0" fontId="0" fillId="2" xfId="0" applyFill="1"/>`,
					`<dxfs count="1"><dxf><font><color rgb="FFFFFFFF"/></font></dxf></dxfs>`), cond("E4:E5", "0"), "E4")
			},
			want: `range E4:E5: Excel may not show these cells as stored: conditional formatting gives it text that cannot be read: its text colour #FFFFFF on its fill #FFFFFF`,
		},
		{
			name: "a conditional format naming a differential format the workbook lacks",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", "", "", "", ""), cond("E4:E5", "7"))
			},
			want: `range E4:E5: Excel may not show these cells as stored: conditional formatting names a differential format (dxfId 7) the workbook does not have`,
		},
		{
			name: "a note shown over the scores",
			data: func(t *testing.T) []byte {
				wb := editXLSX(t, buildXLSX(t, displayTable()), func(f *excelize.File) error {
					return f.AddComment(displaySheet, excelize.Comment{Cell: "D4", Author: "CSO", Text: "Minor"})
				})
				return withPart(t, wb, "xl/drawings/vmlDrawing1.vml", func(s string) string {
					return strings.Replace(s, "</x:ClientData>", "<x:Visible/></x:ClientData>", 1)
				})
			},
			want: `cell D4: a picture, shape or text box lies over this cell`,
		},
		{
			name: "a legacy form control over the status",
			data: func(t *testing.T) []byte {
				wb := editXLSX(t, buildXLSX(t, displayTable()), func(f *excelize.File) error {
					return f.AddComment(displaySheet, excelize.Comment{Cell: "D4", Author: "CSO", Text: "x"})
				})
				return withPart(t, wb, "xl/drawings/vmlDrawing1.vml", func(s string) string {
					s = strings.Replace(s, `ObjectType="Note"`, `ObjectType="Checkbox"`, 1)
					return strings.Replace(s, "<x:Anchor>3, 23, 3, 0, 5, 12, 6, 6</x:Anchor>", "<x:Anchor>6, 0, 4, 0, 7, 0, 5, 0</x:Anchor>", 1)
				})
			},
			want: `cell G5: a picture, shape or text box lies over this cell`,
		},
		{
			name: "a cell format naming a font the workbook does not have",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", "", "", `<xf numFmtId="0" fontId="9" fillId="0" xfId="0" applyFont="1"/>`, ""), nil, "I4")
			},
			want: `cell I4: Excel does not show this cell as stored: its font is not one the workbook has`,
		},
		{
			name: "a conditional format clearing the red fill under white text",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", `<font><color rgb="FFFFFFFF"/></font>`, `<fill><patternFill patternType="solid"><fgColor rgb="FFC00000"/></patternFill></fill>`, "",
					`<xf numFmtId="0" fontId="1" fillId="2" xfId="0" applyFont="1" applyFill="1"/>`,
					`<dxfs count="1"><dxf><fill><patternFill patternType="none"/></fill></dxf></dxfs>`), cond("E4", "0"), "E4")
			},
			want: `range E4: Excel may not show these cells as stored: conditional formatting gives it text that cannot be read`,
		},
		// Real workbooks read as before.
		{
			name: "date and currency formats Excel writes in other locales",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML(`<numFmts><numFmt numFmtId="164" formatCode="[$-809]dd/mm/yyyy;@"/></numFmts>`, "", "", "", `<xf numFmtId="164" fontId="0" fillId="0" xfId="0" applyNumberFormat="1"/>`, ""), nil, "B1", "I4")
			},
		},
		{
			name: "a status merged down over two hazards, as Excel writes it",
			data: func(t *testing.T) []byte {
				tb := displayTable()
				tb.merges = [][2]string{{"G4", "G5"}} // Excel keeps G4's value only
				return buildXLSX(t, tb)
			},
		},
		{
			name: "a data bar that shows the value, and icons beside it",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", "", "", "", ""), func(s string) string {
					return strings.Replace(s, "</sheetData>", `</sheetData><conditionalFormatting sqref="A4:A5"><cfRule type="dataBar" priority="1"><dataBar><cfvo type="min"/><cfvo type="max"/><color rgb="FF638EC6"/></dataBar></cfRule><cfRule type="iconSet" priority="2"><iconSet iconSet="3Arrows"><cfvo type="percent" val="0"/><cfvo type="percent" val="33"/><cfvo type="percent" val="67"/></iconSet></cfRule></conditionalFormatting>`, 1)
				})
			},
		},
		{
			name: "an Excel 2010 data bar, as Excel writes it",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", "", "", "", ""), func(s string) string {
					return strings.Replace(s, "</sheetData>", `</sheetData><extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:conditionalFormattings><x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:cfRule type="dataBar" id="{00000000-0000-0000-0000-000000000001}"><x14:dataBar minLength="0" maxLength="100" border="1" negativeBarBorderColorSameAsPositive="0"><x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/><x14:borderColor rgb="FF638EC6"/><x14:negativeFillColor rgb="FFFF0000"/><x14:axisColor rgb="FF000000"/></x14:dataBar></x14:cfRule><xm:sqref>I4 E4:E5</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>`, 1)
				})
			},
		},
		{
			name: "a rule whitening the text of cells filled dark red",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", `<fill><patternFill patternType="solid"><fgColor rgb="FFC00000"/></patternFill></fill>`, "",
					`<xf numFmtId="0" fontId="0" fillId="2" xfId="0" applyFill="1"/>`,
					`<dxfs count="1"><dxf><font><color rgb="FFFFFFFF"/></font></dxf></dxfs>`), cond("E4:E5", "0"), "E4", "E5")
			},
		},
		{
			name: "a workbook as LibreOffice writes one",
			data: func(t *testing.T) []byte {
				styles := stylesXML(`<numFmts count="2"><numFmt numFmtId="164" formatCode="General"/><numFmt numFmtId="165" formatCode="[$-809]DD/MM/YYYY"/></numFmts>`,
					`<font><sz val="10"/><name val="Arial"/><family val="2"/></font>`, "",
					`<xf numFmtId="164" fontId="1" fillId="0" borderId="0" applyFont="true" applyBorder="true" applyAlignment="true" applyProtection="true"/>`,
					`<xf numFmtId="164" fontId="1" fillId="0" borderId="0" xfId="1" applyFont="false" applyBorder="false" applyAlignment="false" applyProtection="false"/>`, "")
				return styledDisplayTable(t, styles, func(s string) string {
					s = strings.Replace(s, `<sheetFormatPr defaultRowHeight="15">`, `<sheetFormatPr defaultColWidth="11.53515625" defaultRowHeight="12.8" zeroHeight="false" outlineLevelRow="0" outlineLevelCol="0">`, 1)
					s = strings.Replace(s, `<sheetData>`, `<cols><col collapsed="false" customWidth="true" hidden="false" outlineLevel="0" max="1025" min="1" style="0" width="11.52"/></cols><sheetData>`, 1)
					return strings.ReplaceAll(s, `<row r="4">`, `<row r="4" customFormat="false" ht="12.8" hidden="false" customHeight="false" outlineLevel="0" collapsed="false">`)
				}, "A1", "B1", "A3", "A4", "B4", "I4", "A5")
			},
		},
		{
			name: "a workbook as Google Sheets writes one",
			data: func(t *testing.T) []byte {
				styles := stylesXML(`<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>`,
					`<font><sz val="10.0"/><color rgb="FF000000"/><name val="Arial"/><scheme val="minor"/></font>`,
					`<fill><patternFill patternType="solid"><fgColor rgb="FFFFFFFF"/><bgColor rgb="FFFFFFFF"/></patternFill></fill>`, "",
					`<xf borderId="0" fillId="2" fontId="1" numFmtId="0" xfId="0" applyAlignment="1" applyFont="1" applyFill="1"/>`, "")
				return styledDisplayTable(t, styles, func(s string) string {
					return strings.Replace(s, `<sheetData>`, `<cols><col customWidth="1" min="1" max="9" width="14.43"/></cols><sheetData>`, 1)
				}, "A1", "B1", "A3", "A4", "B4", "I4", "A5")
			},
		},
		{
			name: "a fill Excel writes with the system background as its pattern colour",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML("", "", `<fill><patternFill patternType="solid"><fgColor rgb="FFFFFF00"/><bgColor indexed="64"/></patternFill></fill>`, "", `<xf numFmtId="0" fontId="0" fillId="2" xfId="0" applyFill="1"/>`, ""), nil, "E4", "I4")
			},
		},
		{
			name: "a cell style's format the cell format replaces",
			data: func(t *testing.T) []byte {
				return styledDisplayTable(t, stylesXML(numFmtXML(`_-* #,##0_-;-* #,##0_-;_-* "-"_-;_-@_-`), "", "", `<xf numFmtId="164" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>`, `<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="1" applyNumberFormat="1"/>`, ""), nil, "E4")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			expectDisplayVerdict(t, tt.data(t), tt.want)
		})
	}
}

// FuzzDisplayStyles: any styles part pieces (a number format, a font's and
// a fill's colours, a differential format) and any row and column
// attributes are judged without panicking; a refused log says why, and a
// log read is read as without them (the checks change nothing of what is
// read).
func FuzzDisplayStyles(f *testing.F) {
	base := buildXLSX(f, displayTable())
	want := loadData("hazard-log.xlsx", base, FormatXLSX, config(nil))
	if !want.Valid() {
		f.Fatal(want.Problems)
	}
	f.Add(`[White]@`, `rgb="FFFFFFFF"`, `<patternFill patternType="solid"><fgColor rgb="FFC00000"/></patternFill>`, `<font><color theme="0"/></font>`, `hidden="1"`, `min="1" max="3" width="0.5"`)
	f.Add(`0!0;[Color99]0;;@@`, `indexed="-1"`, `<patternFill patternType="solid"/>`, `<fill><patternFill><bgColor indexed="70"/></patternFill></fill>`, `ht="NaN"`, `min="0" max="99999" hidden="1"`)
	f.Add(`General`, `theme="12" tint="-2"`, `<gradientFill/>`, `<numFmt numFmtId="1" formatCode=";;;"/>`, `customHeight="1" ht="15"`, `min="5" max="5" width="20"`)
	f.Fuzz(func(t *testing.T, code, fontColour, fill, dxf, rowAttrs, colAttrs string) {
		styles := stylesXML(numFmtXML(code), `<font><color `+fontColour+`/></font>`, `<fill>`+fill+`</fill>`, "",
			`<xf numFmtId="164" fontId="1" fillId="2" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1"/>`,
			`<dxfs count="1"><dxf>`+dxf+`</dxf></dxfs>`)
		wb := withPart(t, base, "xl/styles.xml", func(string) string { return styles })
		wb = withPart(t, wb, "xl/worksheets/sheet1.xml", func(s string) string {
			for _, ref := range []string{"B1", "E4", "I4", "A5"} {
				s = strings.Replace(s, `<c r="`+ref+`"`, `<c r="`+ref+`" s="1"`, 1)
			}
			s = strings.Replace(s, `<row r="5">`, `<row r="5" `+rowAttrs+`>`, 1)
			s = strings.Replace(s, `<sheetData>`, `<cols><col `+colAttrs+`/></cols><sheetData>`, 1)
			return strings.Replace(s, "</sheetData>", `</sheetData><conditionalFormatting sqref="A1:I5"><cfRule type="expression" dxfId="0" priority="1"><formula>TRUE</formula></cfRule></conditionalFormatting>`, 1)
		})
		res := loadData("hazard-log.xlsx", wb, FormatXLSX, config(nil))
		if !res.Valid() {
			if len(res.Problems) == 0 {
				t.Fatal("refused without a problem")
			}
			return
		}
		if len(res.Log.Hazards) != len(want.Log.Hazards) {
			t.Fatalf("read %d hazards, want %d", len(res.Log.Hazards), len(want.Log.Hazards))
		}
		for i := range want.Log.Hazards {
			if res.Log.Hazards[i].ID != want.Log.Hazards[i].ID || res.Log.Hazards[i].Title != want.Log.Hazards[i].Title {
				t.Fatalf("hazard %d read as %q %q, want %q %q", i, res.Log.Hazards[i].ID, res.Log.Hazards[i].Title, want.Log.Hazards[i].ID, want.Log.Hazards[i].Title)
			}
		}
	})
}

// FuzzDrawingScan: any drawing part (DrawingML or VML) is read without panicking, and each
// box it gives is a real range of cells.
func FuzzDrawingScan(f *testing.F) {
	f.Add(`<xdr:wsDr xmlns:xdr="x"><xdr:twoCellAnchor><xdr:from><xdr:col>7</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>3</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>11</xdr:col><xdr:colOff>419100</xdr:colOff><xdr:row>4</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:sp/></xdr:twoCellAnchor></xdr:wsDr>`)
	f.Add(`<wsDr><oneCellAnchor><from><col>2</col><row>1</row></from><ext cx="9999999999999" cy="-5"/></oneCellAnchor><absoluteAnchor><pos x="1" y="2"/><ext cx="3" cy="4"/></absoluteAnchor></wsDr>`)
	f.Add(`<xml><v:shape><x:ClientData ObjectType="Note"><x:Anchor>3, 23, 3, 0, 5, 12, 6, 6</x:Anchor><x:Visible/></x:ClientData></v:shape><br></xml>`)
	f.Fuzz(func(t *testing.T, part string) {
		for _, scan := range []func(io.Reader, func(string, io.Reader) (io.Reader, error)) ([]drawingBox, error){scanDrawing, scanVML} {
			boxes, err := scan(strings.NewReader(part), nil)
			if err != nil {
				continue
			}
			for _, b := range boxes {
				if b.c1 < 0 || b.r1 < 0 || b.c2 < b.c1 || b.r2 < b.r1 {
					t.Fatalf("box %+v is no range of cells", b)
				}
			}
		}
	})
}

// TestDisplayHostileStylesBounded: a 1 MB number format named by 5000
// conditional formatting rules, and 5000 cell formats, cost their size
// once, not once a rule (the check parsed the code for every rule).
func TestDisplayHostileStylesBounded(t *testing.T) {
	t.Parallel()
	code := strings.Repeat("0", 1<<20)
	styles := stylesXML(numFmtXML(code), "", "", "", strings.Repeat(`<xf numFmtId="164" fontId="0" fillId="0" xfId="0" applyNumberFormat="1"/>`, 5000),
		`<dxfs count="1"><dxf><numFmt numFmtId="165" formatCode="`+code+`"/><font><color rgb="FFFF0000"/></font></dxf></dxfs>`)
	rules := strings.Repeat(`<conditionalFormatting sqref="E4:E5"><cfRule type="expression" dxfId="0" priority="1"><formula>TRUE</formula></cfRule></conditionalFormatting>`, 5000)
	data := styledDisplayTable(t, styles, func(s string) string { return strings.Replace(s, "</sheetData>", "</sheetData>"+rules, 1) }, "A4", "A5")
	start := time.Now()
	res := loadData("hazard-log.xlsx", data, FormatXLSX, config(nil))
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("took %v", took)
	}
	if !res.Valid() {
		t.Fatalf("got %v; want the log read (every format shows the value)", res.Problems)
	}
}

// TestDisplayManyConditionalRangesBounded: conditional formats of many
// areas, whose fill would hide the red text of 4000 cells, are checked
// within a bound, and past it the sheet is refused, not checked for
// minutes (each rule compared every such cell with every area).
func TestDisplayManyConditionalRangesBounded(t *testing.T) {
	t.Parallel()
	tb := displayTable()
	for r := 6; r < 4000; r++ {
		tb.cells["I"+strconv.Itoa(r)] = "control"
	}
	var areas strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&areas, "K%d ", i+1)
	}
	styles := stylesXML("", `<font><color rgb="FFC00000"/></font>`, "", "", `<xf numFmtId="0" fontId="1" fillId="0" xfId="0" applyFont="1"/>`,
		`<dxfs count="1"><dxf><fill><patternFill><bgColor rgb="FFC00000"/></patternFill></fill></dxf></dxfs>`)
	wb := withPart(t, buildXLSX(t, tb), "xl/styles.xml", func(string) string { return styles })
	wb = withPart(t, wb, "xl/worksheets/sheet1.xml", func(s string) string {
		s = strings.ReplaceAll(s, `<c r="I`, `<c s="1" r="I`)
		rule := `<conditionalFormatting sqref="` + strings.TrimSpace(areas.String()) + `"><cfRule type="expression" dxfId="0" priority="1"><formula>FALSE</formula></cfRule></conditionalFormatting>`
		return strings.Replace(s, "</sheetData>", "</sheetData>"+strings.Repeat(rule, 200), 1)
	})
	start := time.Now()
	res := loadData("hazard-log.xlsx", wb, FormatXLSX, config(nil))
	if took := time.Since(start); took > 20*time.Second {
		t.Fatalf("took %v", took)
	}
	if want := "the sheet's conditional formatting is too large to check"; res.Valid() || !strings.Contains(problemText(res.Problems), want) {
		t.Fatalf("got %v\nwant a problem containing %q", res.Problems, want)
	}
}
