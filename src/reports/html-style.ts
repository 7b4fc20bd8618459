/**
 * The report's stylesheet: readable on screen, printed on A4 with each mailbox on its own page. The font
 * stack names fonts with Greek, Cyrillic, Arabic, Hebrew and CJK glyphs on Linux, Windows and macOS, so a
 * browser that lacks one still finds another before its generic fallback.
 */
export const FONT_STACK = [
  '"DejaVu Sans"',
  '"Noto Sans"',
  '"Segoe UI"',
  'Roboto',
  '"Helvetica Neue"',
  'Arial',
  '"Noto Sans Arabic"',
  '"Noto Sans Hebrew"',
  'Tahoma',
  '"Noto Sans CJK SC"',
  '"Noto Sans CJK JP"',
  '"Microsoft YaHei"',
  '"PingFang SC"',
  '"Hiragino Sans"',
  '"Apple SD Gothic Neo"',
  '"Malgun Gothic"',
  'sans-serif',
].join(', ');

export const STYLE = `
@page { size: A4; margin: 14mm 12mm 16mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: ${FONT_STACK}; font-size: 10pt; line-height: 1.35; color: #1a1a1a; margin: 0 auto;
  max-width: 72rem; padding: 1.5rem; }
h1 { font-size: 18pt; margin: 0 0 .2rem; }
h2 { font-size: 13pt; margin: 0 0 .3rem; overflow-wrap: anywhere; }
h3 { font-size: 10.5pt; margin: 1rem 0 .3rem; }
.meta, .muted { color: #555; }
.meta { margin: 0 0 .8rem; }
.verdict { font-weight: bold; margin: .4rem 0; padding: .35rem .6rem; border-radius: 3px; }
.ok { color: #0b6b2f; background: #e6f4ea; }
.bad { color: #a11d1d; background: #fbe9e9; }
.unverified { color: #6b4e00; background: #fdf4dc; }
.err { color: #a11d1d; }
.note { color: #6b4e00; }
table { border-collapse: collapse; width: 100%; margin: .2rem 0 .6rem; }
th, td { border-bottom: 1px solid #ddd; padding: .18rem .35rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; font-weight: bold; border-bottom: 1px solid #999; }
td { overflow-wrap: anywhere; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.sub { border-bottom: 1px solid #ddd; padding-top: 0; }
tr.lead td { border-bottom: none; }
table.kv { width: auto; }
table.kv th { background: none; border: none; padding-right: 1rem; font-weight: normal; color: #555; }
table.kv td { border: none; }
section.mailbox { margin-top: 2rem; border-top: 2px solid #333; padding-top: .8rem; }
.status { font-size: 9pt; font-weight: normal; color: #555; border: 1px solid #bbb; border-radius: 3px;
  padding: 0 .3rem; margin-left: .4rem; white-space: nowrap; }
.more { font-style: italic; color: #555; }
a { color: inherit; }
@media print {
  body { max-width: none; padding: 0; font-size: 9pt; }
  section.mailbox { break-before: page; margin-top: 0; border-top: none; padding-top: 0; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; }
  a { text-decoration: none; }
}
`;
