//! A minimal but valid PDF for an invoice (what `Accept: application/octet-stream` gets): one
//! A4 page with a few lines of Helvetica, and an xref table whose offsets are computed from the
//! bytes actually written, so a strict reader accepts it.

/// The text lines of the page, top to bottom.
pub fn invoice_pdf(lines: &[String]) -> Vec<u8> {
    let mut content = Vec::from(&b"BT\n/F1 14 Tf\n72 770 Td\n18 TL\n"[..]);
    for line in lines {
        content.push(b'(');
        content.extend(win_ansi(line));
        content.extend_from_slice(b") Tj T*\n");
    }
    content.extend_from_slice(b"ET\n");

    let mut stream_object = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    stream_object.extend_from_slice(&content);
    stream_object.extend_from_slice(b"\nendstream");

    let objects: [Vec<u8>; 5] = [
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
        stream_object,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
    ];

    // The second line's high bytes tell tools the file is binary (PDF 1.4, section 3.4.1).
    let mut pdf = Vec::from(&b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n"[..]);
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref_at = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n", objects.len() + 1).as_bytes());
    // Each entry is exactly 20 bytes, the end of line being " \n".
    pdf.extend_from_slice(b"0000000000 65535 f \n");
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// Text as a PDF string in WinAnsiEncoding: Latin-1 covers Danish (æ ø å), PDF string
/// delimiters are escaped, anything else becomes `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                out.push(c as u8);
            }
            ' '..='~' | '\u{a0}'..='\u{ff}' => out.push(c as u32 as u8),
            _ => out.push(b'?'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xref_offsets_point_at_objects() {
        let pdf = invoice_pdf(&["Faktura 1".into(), "Børge Lund (kunde)".into()]);
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
        assert!(pdf.ends_with(b"%%EOF"));
        let text = String::from_utf8_lossy(&pdf);
        let startxref: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(pdf[startxref..].starts_with(b"xref\n0 6\n"));
        let table = &pdf[startxref + 9..];
        for n in 1..=5 {
            let entry = &table[n * 20..n * 20 + 20];
            let offset: usize = std::str::from_utf8(&entry[..10]).unwrap().parse().unwrap();
            assert!(pdf[offset..].starts_with(format!("{n} 0 obj").as_bytes()));
        }
        assert!(
            pdf.windows(12).any(|w| w == b"(B\xF8rge Lund "),
            "Latin-1 ø"
        );
        assert!(pdf.windows(9).any(|w| w == b"\\(kunde\\)"));
    }
}
