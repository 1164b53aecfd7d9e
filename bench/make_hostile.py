"""Writes the hostile workbook corpus of issue 13 (small on disk, huge when read naively).

Each file is a minimal, valid .xlsx with a 进度 sheet; one part is made hostile.
Usage: python3 bench/make_hostile.py DIR
"""
import os
import sys
import zipfile

HEAD = ["项目编码", "报告期", "年初至报告期累计(万元)"]
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="进度" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
SHEET_OPEN = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
MiB = 1 << 20


def cell(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def row(n, values):
    return f'<row r="{n}">' + "".join(cell(f"{'ABC'[i]}{n}", v) for i, v in enumerate(values)) + "</row>"


def write(path, sheet_chunks, shared=None):
    """sheet_chunks: an iterable of str pieces of sheet1.xml; shared: the same for sharedStrings."""
    shared = shared or ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>']
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in [("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS),
                           ("xl/workbook.xml", WORKBOOK), ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)]:
            z.writestr(name, text)
        for name, chunks in [("xl/worksheets/sheet1.xml", sheet_chunks), ("xl/sharedStrings.xml", shared)]:
            with z.open(name, "w", force_zip64=True) as part:
                for chunk in chunks:
                    part.write(chunk.encode())


def plain(rows_xml, between=()):
    yield SHEET_OPEN + "<sheetData>" + row(1, HEAD)
    yield from rows_xml
    yield "</sheetData>"
    yield from between
    yield "</worksheet>"


GOOD = [row(2, ["ZD2018-001", "2018-05", "12000"])]


def repeat(text, total):
    block = text * (MiB // len(text))
    for _ in range(total // len(block)):
        yield block


def main(out):
    os.makedirs(out, exist_ok=True)
    write(f"{out}/good.xlsx", plain(GOOD))
    # A shared-strings table claiming 10^11 strings (the reader once reserved them all).
    write(f"{out}/claims.xlsx", plain(GOOD), ['<?xml version="1.0"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="100000000000"><si><t>x</t></si></sst>'])
    # One merged region over the whole sheet.
    write(f"{out}/merged.xlsx", plain(GOOD, ['<mergeCells count="1"><mergeCell ref="A2:XFD1048576"/></mergeCells>']))
    # 2 GiB of padding after the cells, in about 2 MB.
    write(f"{out}/tail-bomb.xlsx", plain(GOOD, repeat(" ", 2048 * MiB)))
    # 2.2 GB of whitespace inside sheetData.
    write(f"{out}/spaces.xlsx", plain(repeat(" ", 2200 * MiB)))
    # One shared string of 1 GB.
    big = ['<?xml version="1.0"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>']
    write(f"{out}/one-string.xlsx", plain(GOOD), big + list(repeat("x", 1024 * MiB)) + ["</t></si></sst>"])
    # Every row Excel allows, each wrong (a text where a number belongs).
    rows = (row(n, ["ZD2018-001", "2018-05", "十二万"]) for n in range(2, 1048577))
    write(f"{out}/million-rows.xlsx", plain(rows))


if __name__ == "__main__":
    main(sys.argv[1])
