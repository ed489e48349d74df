"""What an uploaded résumé is and what it carries, checked before it is stored
(`portal.validation.resume` calls `check`): a PDF must be a PDF and not also a web page, and
carry no JavaScript, automatic actions, program launches or attached files; a .docx must be
a Word document without macros, embedded binaries (ActiveX, OLE) or templates and frames
loaded from elsewhere, and must not unpack to far more than it weighs (a zip bomb). Each
refusal says why and what to do instead.

PDFs are read with pypdf (every object reachable from the trailer, object streams
included) and scanned as bytes too, so a file pypdf cannot read, or one whose objects
pypdf does not reach, is still checked. A .docx is read from its zip directory (sizes
without unpacking) and its small XML parts with defusedxml."""

from __future__ import annotations

import io
import re
import zipfile

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from portal.errors import ValidationError

MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # a .docx's parts together, as its zip directory says
MAX_COMPRESSION_RATIO = 100            # unpacked to packed, for the whole file
_RATIO_FROM_BYTES = 1024 * 1024        # below this unpacked, any ratio is harmless
MAX_ZIP_ENTRIES = 5000
MAX_PDF_OBJECTS = 200_000              # a walk that long is not a résumé

_PLAIN_PDF = "Save it again as a plain PDF (Print → Save as PDF) and upload that."
_PLAIN_DOCX = ("Save it again as a plain Word document (File → Save As → Word Document "
               ".docx) or as PDF, and upload that.")


def check(file_name: str, extension: str, data: bytes) -> None:
    """Raise ValidationError when `data` is not what `extension` says or carries active
    content or external references; the message names the file, why and what to do."""
    if extension == "pdf":
        _check_pdf(file_name, data)
    elif extension == "docx":
        _check_docx(file_name, data)


# --- PDF ----------------------------------------------------------------------------------

# What makes a browser or a sniffing mail client take the start of a file for HTML.
_HTML_START = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed)\b",
                         re.IGNORECASE)


def _check_pdf(file_name: str, data: bytes) -> None:
    # The header may follow a little junk (the PDF spec allows it within 1 KB); the end
    # marker is within the last KB.
    if b"%PDF-" not in data[:1024] or b"%%EOF" not in data[-1024:]:
        raise ValidationError(f"“{file_name}” is named .pdf but is not a PDF document. Export it "
                              "as PDF again and upload that.")
    if _HTML_START.search(data[:1024]):
        raise ValidationError(f"“{file_name}” is a PDF that is also a web page (HTML at its start), "
                              f"which we do not accept. {_PLAIN_PDF}")
    found = _pdf_active_content_by_bytes(data) | _pdf_active_content_parsed(data)
    for kind, message in _PDF_REFUSALS:
        if kind in found:
            raise ValidationError(f"“{file_name}” {message}, which we do not accept. {_PLAIN_PDF}")


# In the order they are told: the most telling first.
_PDF_REFUSALS = (
    ("javascript", "contains JavaScript"),
    ("launch", "can start other programs"),
    ("auto", "runs actions by itself when it is opened or read"),
    ("embedded", "carries other files inside it"),
)

# A PDF name ends at white space or a delimiter; `#xx` inside a name is a hex-escaped byte
# (`/J#61vaScript` is `/JavaScript`).
_NAME = re.compile(rb"/((?:[^\s/<>\[\]()%{}#]|#[0-9A-Fa-f]{2})+)")
_NAME_KINDS = {
    b"JS": "javascript", b"JavaScript": "javascript",
    b"Launch": "launch",
    b"AA": "auto",
    b"EmbeddedFile": "embedded", b"EmbeddedFiles": "embedded", b"FileAttachment": "embedded",
}


def _pdf_active_content_by_bytes(data: bytes) -> set[str]:
    """What the file's uncompressed bytes name (a damaged file, or objects pypdf does not
    reach); compressed object streams are pypdf's part."""
    found = set()
    for match in _NAME.finditer(data):
        name = match.group(1)
        if b"#" in name:
            name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), name)
        if name in _NAME_KINDS:
            found.add(_NAME_KINDS[name])
    return found


_KEY_KINDS = {"/JS": "javascript", "/JavaScript": "javascript", "/AA": "auto",
              "/EmbeddedFile": "embedded", "/EmbeddedFiles": "embedded"}
_ACTION_KINDS = {"/JavaScript": "javascript", "/Launch": "launch", "/ImportData": "launch",
                 "/RichMediaExecute": "javascript"}


def _pdf_active_content_parsed(data: bytes) -> set[str]:
    """What pypdf finds in every dictionary reachable from the trailer (names only; no
    stream is decoded except the object streams holding objects). Empty when pypdf cannot
    read the file: the byte scan then stands alone."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    found: set[str] = set()
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            reader.decrypt("")  # names are not encrypted, but pypdf reads nothing until this
        stack: list = [reader.trailer]
        seen: set[tuple[int, int]] = set()
        walked = 0
        while stack and walked < MAX_PDF_OBJECTS:
            item = stack.pop()
            walked += 1
            if isinstance(item, IndirectObject):
                if (item.idnum, item.generation) in seen:
                    continue
                seen.add((item.idnum, item.generation))
                item = item.get_object()
            if isinstance(item, DictionaryObject):  # streams too: their dictionary
                for key, value in item.items():
                    if isinstance(value, IndirectObject) and key in ("/S", "/Subtype", "/OpenAction"):
                        value = value.get_object()
                    if key in _KEY_KINDS:
                        found.add(_KEY_KINDS[key])
                    elif key == "/S" and value in _ACTION_KINDS:
                        found.add(_ACTION_KINDS[value])
                    elif key == "/Subtype" and value == "/FileAttachment":
                        found.add("embedded")
                    elif key == "/OpenAction":
                        # A destination (page and zoom) is harmless; an action is not.
                        if isinstance(value, DictionaryObject) and value.get("/S") != "/GoTo":
                            found.add("auto")
                    if key != "/Parent":  # a page tree's way up: reached from the top anyway
                        stack.append(value)
            elif isinstance(item, ArrayObject):
                stack.extend(item)
    except Exception:  # noqa: BLE001 - a file pypdf cannot read is left to the byte scan
        pass
    return found


# --- Word (.docx) --------------------------------------------------------------------------

_MACRO_TYPES = ("macroenabled", "vbaproject", "vbadata", "activex")
# Relationships Word follows by itself when it opens a document: to somewhere else, never.
_EXTERNAL_REFUSED = ("attachedtemplate", "oleobject", "frame", "subdocument")
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def _check_docx(file_name: str, data: bytes) -> None:
    not_word = ValidationError(f"“{file_name}” is named .docx but is not a Word document. Save it "
                               "from Word as .docx (or as PDF) and upload that.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise not_word from error
    with archive:
        entries = archive.infolist()
        names = {entry.filename for entry in entries}
        if not {"[Content_Types].xml", "word/document.xml"} <= names:
            raise not_word
        _check_unpacked_size(file_name, entries)
        macros = ValidationError(f"“{file_name}” contains macros or embedded programs, which we do "
                                 f"not accept. {_PLAIN_DOCX}")
        if any(name.lower().endswith(".bin") for name in names):
            raise macros
        try:
            problem = _docx_active_content(archive, names)
        except (SafeET.ParseError, DefusedXmlException, zipfile.BadZipFile, ValueError,
                OSError) as error:
            raise ValidationError(f"“{file_name}” is a damaged Word document. {_PLAIN_DOCX}") from error
    if problem == "macros":
        raise macros
    if problem == "external":
        raise ValidationError(f"“{file_name}” loads a template or content from another address when "
                              f"it is opened, which we do not accept. {_PLAIN_DOCX}")


def _docx_active_content(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    """"macros" (a macro or ActiveX content type or relationship), "external" (a template,
    object, frame or subdocument fetched from elsewhere on opening) or None."""
    for element in _xml(archive, "[Content_Types].xml").iter():
        if element.tag in (_CT + "Default", _CT + "Override") and \
                any(kind in element.get("ContentType", "").lower() for kind in _MACRO_TYPES):
            return "macros"
    for name in sorted(names):
        if not name.lower().endswith(".rels"):
            continue
        for relation in _xml(archive, name).iter(_REL):
            kind = relation.get("Type", "").rsplit("/", 1)[-1].lower()
            if kind in ("vbaproject", "wordvbadata"):
                return "macros"
            if relation.get("TargetMode", "").lower() == "external" and kind in _EXTERNAL_REFUSED:
                return "external"
    return None


def _check_unpacked_size(file_name: str, entries: list[zipfile.ZipInfo]) -> None:
    """From the zip directory alone: what the parts claim to unpack to (reading a part never
    gives more than it claims: zipfile stops there and checks the CRC)."""
    unpacked = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries)
    limit_mb = MAX_UNPACKED_BYTES // 1024 // 1024
    if len(entries) > MAX_ZIP_ENTRIES or unpacked > MAX_UNPACKED_BYTES:
        raise ValidationError(f"“{file_name}” would unpack to more than {limit_mb} MB, far more "
                              f"than a résumé, which we do not accept. {_PLAIN_DOCX}")
    if unpacked > _RATIO_FROM_BYTES and unpacked > MAX_COMPRESSION_RATIO * max(packed, 1):
        raise ValidationError(f"“{file_name}” is packed more than {MAX_COMPRESSION_RATIO} to 1, "
                              f"as no Word document is, which we do not accept. {_PLAIN_DOCX}")


def _xml(archive: zipfile.ZipFile, name: str):
    """A part of the document as XML, without DTDs, entities or external references."""
    with archive.open(name) as part:
        return SafeET.fromstring(part.read())
