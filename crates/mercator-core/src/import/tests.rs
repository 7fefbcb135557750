use super::*;
use proptest::prelude::*;

fn none() -> HashSet<String> {
    HashSet::new()
}

fn run(bytes: &[u8]) -> (Table, Vec<ImportRow>, Vec<RowError>) {
    let table = parse_table(bytes).unwrap();
    let mapping = guess_mapping(&table.headers);
    let (ok, bad) = validate(&table, &mapping, Currency::CNY, &none()).unwrap();
    (table, ok, bad)
}

#[test]
fn gbk_excel_export_with_chinese_headers() {
    let text = "货号,标题,英文标题,条码,采购价,品牌\r\nCUP-1,便携式榨汁杯,Portable Blender Cup,6901234567892,45.80,Voltaro\r\nCUP-2,保温杯 500毫升,Vacuum Flask 500 ml,,32,Voltaro\r\n";
    let (bytes, _, _) = encoding_rs::GBK.encode(text);
    assert!(std::str::from_utf8(&bytes).is_err(), "really GBK bytes");
    let (table, ok, bad) = run(&bytes);
    assert_eq!(table.encoding, "GB18030");
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok.len(), 2);
    assert_eq!(
        ok[0].titles,
        vec![("zh-CN".into(), "便携式榨汁杯".into()), ("en-US".into(), "Portable Blender Cup".into())]
    );
    assert_eq!(ok[0].cost.minor(), 4580);
    assert_eq!(ok[1].gtin, None);
    assert_eq!(ok[1].line, 3);
}

#[test]
fn bom_semicolons_decimal_comma_and_multiline_quotes() {
    let text = "\u{feff}SKU;Title (de-DE);Description (de-DE);Cost;Currency\n\
                LAMP-1;Schreibtischlampe;\"Zeile eins\nZeile zwei; mit Semikolon\";12,50;EUR\n\
                LAMP-2;\"Lampe \"\"Pro\"\"\";;7;EUR\n";
    let (table, ok, bad) = run(text.as_bytes());
    assert_eq!((table.encoding, table.delimiter), ("UTF-8 (BOM)", ';'));
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok[0].descriptions[0].1, "Zeile eins\nZeile zwei; mit Semikolon");
    assert_eq!(ok[0].cost, Money::from_minor(1250, Currency::EUR));
    assert_eq!(ok[1].titles[0].1, "Lampe \"Pro\"");
    assert_eq!(ok[1].line, 4, "line numbers count the embedded newline");
}

#[test]
fn tabs_are_detected() {
    let (table, ok, _) = run(b"sku\ttitle\tcost\nA-1\tThing, with comma\t3.5\n");
    assert_eq!(table.delimiter, '\t');
    assert_eq!(ok[0].titles[0].1, "Thing, with comma");
}

#[test]
fn bad_rows_are_reported_with_line_numbers_and_reasons() {
    let text = "sku,title:en-US,gtin,cost\n\
                OK-1,Good one,4006381333931,1.00\n\
                ,No SKU,,1\n\
                OK-2,Bad GTIN,4006381333932,1\n\
                OK-1,Duplicate,,1\n\
                OK-3,Too precise,,1.005\n\
                TAKEN,Exists already,,1\n\
                OK-4,,,1\n\
                OK-5,Fine,,0\n\
                OLD,,,\n\
                OK-6,No cost,,\n";
    let table = parse_table(text.as_bytes()).unwrap();
    let mapping = guess_mapping(&table.headers);
    let existing: HashSet<String> = ["TAKEN".to_string(), "OLD".to_string()].into();
    let (ok, bad) = validate(&table, &mapping, Currency::USD, &existing).unwrap();
    assert_eq!(ok.iter().map(|r| r.sku.as_str()).collect::<Vec<_>>(), vec!["OK-1", "TAKEN", "OK-5", "OLD"]);
    // SKUs already in the catalog are updates of just the cells filled in;
    // they need no title
    let updates: Vec<(&str, bool, Vec<String>)> =
        ok.iter().map(|r| (r.sku.as_str(), r.update, r.filled.clone())).collect();
    assert_eq!(
        updates,
        vec![
            ("OK-1", false, vec!["gtin".to_string(), "cost".to_string()]),
            ("TAKEN", true, vec!["cost".to_string()]),
            ("OK-5", false, vec!["cost".to_string()]),
            ("OLD", true, vec![]),
        ]
    );
    let report: Vec<(u64, &str)> = bad.iter().map(|r| (r.line, r.errors[0].code.as_str())).collect();
    assert_eq!(
        report,
        vec![
            (3, "sku-empty"),
            (4, "gtin-check-digit"),
            (5, "import-duplicate-sku"),
            (6, "money-invalid"),
            (8, "title-empty"),
            (11, "import-cost-missing"),
        ]
    );
}

#[test]
fn missing_columns_and_broken_files_are_refused_whole() {
    let t = parse_table(b"name,price\nx,1\n").unwrap();
    assert_eq!(
        validate(&t, &guess_mapping(&t.headers), Currency::USD, &none()).unwrap_err().code,
        "import-no-sku-column"
    );
    let t = parse_table(b"sku,price\nx,1\n").unwrap();
    assert_eq!(
        validate(&t, &guess_mapping(&t.headers), Currency::USD, &none()).unwrap_err().code,
        "import-no-title-column"
    );
    // truncated in the middle of a quoted field
    let e = parse_table(b"sku,title\nA-1,\"half a title\nA-2,ok\n").unwrap_err();
    assert_eq!(e.code, "import-malformed");
    // a PNG renamed to .csv
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
    assert_eq!(parse_table(png).unwrap_err().code, "import-not-text");
    assert_eq!(parse_table(b"  \n").unwrap_err().code, "import-empty");
    // invalid in UTF-8 and in GB18030
    assert_eq!(parse_table(b"sku,title\n\xff\xff\xff,x\n").unwrap_err().code, "import-not-text");
}

#[test]
fn export_guards_formulas() {
    let row = ImportRow {
        line: 2,
        brand: "@SUM(A1)".into(),
        category: "-1".into(),
        titles: vec![("en-US".into(), "+cmd|' /C calc'!A0".into())],
        ..ImportRow::new("=HYPERLINK(\"http://x\")", Money::from_minor(1980, Currency::JPY))
    };
    let out = export_csv(std::slice::from_ref(&row), &["en-US".into()]);
    assert!(out.starts_with('\u{feff}'));
    for line in out.lines().skip(1) {
        for cell in line.split(',') {
            let c = cell.trim_start_matches('"');
            assert!(!c.starts_with(['=', '+', '-', '@']), "unguarded cell {cell}");
        }
    }
}

fn text_strategy() -> impl Strategy<Value = String> {
    // Titles as sellers write them: any language, punctuation, quotes,
    // separators, line breaks, and formula-looking starts.
    proptest::string::string_regex("[=+@-]?[A-Za-z0-9 ,;\"'\\n\\t中文标题耳机ÄÖüßé¥€.()/-]{1,40}")
        .unwrap()
        .prop_map(|s| s.trim().to_string())
        .prop_filter("non-empty title", |s| !s.is_empty() && s.chars().count() <= 500)
}

proptest! {
    #[test]
    fn any_row_survives_export_then_import(
        rows in proptest::collection::vec(
            ("[A-Z]{2,5}-[0-9]{1,6}", text_strategy(), text_strategy(), 0i64..10_000_000, any::<bool>()),
            1..8,
        )
    ) {
        let mut seen = HashSet::new();
        let rows: Vec<ImportRow> = rows
            .into_iter()
            .filter(|(sku, ..)| seen.insert(sku.clone()))
            .map(|(sku, zh, en, cost, jpy)| ImportRow {
                line: 0,
                sku,
                gtin: None,
                brand: "Brand".into(),
                category: "home".into(),
                cost: Money::from_minor(cost, if jpy { Currency::JPY } else { Currency::EUR }),
                titles: vec![("zh-CN".into(), zh.clone()), ("en-US".into(), en.clone())],
                descriptions: vec![("zh-CN".into(), format!("{zh}\n第二行"))],
                bullets: vec![("en-US".into(), vec![format!("{}.", en.split_whitespace().collect::<Vec<_>>().join(" ")), "Zweite Zeile; mit Semikolon".into()])],
                keywords: vec![("zh-CN".into(), "锅铲 硅胶".into())],
                parent: if cost % 2 == 0 { String::new() } else { "PARENT-1".into() },
                attributes: vec![("colour".into(), "Black / 黑色".into()), ("size".into(), "XL".into())],
                stock: cost % 1000,
                weight_g: cost % 5000,
                hs_code: "851830".into(),
                origin: "CN".into(),
                update: false,
                filled: vec![],
            })
            .collect();
        let langs = vec!["zh-CN".to_string(), "en-US".to_string()];
        let csv = export_csv(&rows, &langs);
        let table = parse_table(csv.as_bytes()).unwrap();
        let mapping = guess_mapping(&table.headers);
        let (back, bad) = validate(&table, &mapping, Currency::USD, &HashSet::new()).unwrap();
        prop_assert!(bad.is_empty(), "{:?}", bad);
        prop_assert_eq!(back.len(), rows.len());
        for (a, b) in rows.iter().zip(&back) {
            prop_assert_eq!(&a.sku, &b.sku);
            prop_assert_eq!(&a.titles, &b.titles);
            prop_assert_eq!(&a.descriptions, &b.descriptions);
            prop_assert_eq!(a.cost, b.cost);
            prop_assert_eq!(a, &ImportRow { line: a.line, filled: a.filled.clone(), ..b.clone() }, "every field survives");
        }
    }
}

/// A minimal workbook: one sheet with `sheet_xml` and optional shared strings.
fn xlsx_with(sheet_xml: &str, shared: Option<&str>) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut put = |name: &str, body: &[u8]| {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body).unwrap();
    };
    put("[Content_Types].xml", b"<?xml version=\"1.0\"?><Types/>");
    put(
        "xl/workbook.xml",
        br#"<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    );
    put(
        "xl/_rels/workbook.xml.rels",
        br#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
    );
    put("xl/worksheets/sheet1.xml", sheet_xml.as_bytes());
    if let Some(s) = shared {
        put("xl/sharedStrings.xml", s.as_bytes());
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn a_sheet_claiming_every_cell_of_excel_takes_only_the_cells_it_has() {
    // the ~5 KB file that made the importer allocate ~512 GiB: its used range
    // is A1:XFD1048576, its cells are a header and two rows (one far down)
    let sheet = r#"<worksheet><dimension ref="A1:XFD1048576"/><sheetData>
        <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>cost</t></is></c></row>
        <row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c><c r="C2"><v>19.989999999999998</v></c><c r="XFD2" s="3"/></row>
        <row r="1048576"><c r="A1048576" t="str"><v>KIT-2</v></c><c r="B1048576" t="inlineStr"><is><r><t>锅</t></r><r><t>铲</t></r></is></c><c r="C1048576"><v>5</v></c></row>
        </sheetData></worksheet>"#;
    let shared = r#"<sst><si><t>sku</t></si><si><t>title:zh-CN</t></si><si><t>KIT-1</t></si><si><r><t>硅胶</t></r><r><t xml:space="preserve">锅铲_x000D_</t></r><rPh><t>ぎ</t></rPh></si></sst>"#;
    let bytes = xlsx_with(sheet, Some(shared));
    assert!(bytes.len() < 5_000);
    let t = crate::xlsx::parse_xlsx(&bytes).unwrap();
    assert!(t.heap_bytes() < 64 * 1024, "{} bytes for three rows", t.heap_bytes());
    assert_eq!(t.headers, vec!["sku", "title:zh-CN", "cost"]);
    let rows: Vec<(u64, Vec<&str>)> = t.rows().map(|r| (r.line, r.cells().collect())).collect();
    assert_eq!(rows, vec![(2, vec!["KIT-1", "硅胶锅铲\r", "19.99"]), (1048576, vec!["KIT-2", "锅铲", "5"])]);
    // a value far to the right is refused by name, not allocated
    let wide = r#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>sku</t></is></c><c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#;
    let e = crate::xlsx::parse_xlsx(&xlsx_with(wide, None)).unwrap_err();
    assert_eq!((e.code.as_str(), e.args["max"].as_str()), ("import-too-many-columns", "1000"));
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_inflated() {
    // 6 MB of one repeated row compress to a few KB; the part limit is set
    // low so the test stays fast: the mechanism is the same at 1 GiB
    let row = r#"<row><c t="inlineStr"><is><t>x</t></is></c></row>"#;
    let mut sheet = String::from("<worksheet><sheetData>");
    while sheet.len() < 6 << 20 {
        sheet.push_str(row);
    }
    sheet.push_str("</sheetData></worksheet>");
    let bytes = xlsx_with(&sheet, None);
    assert!(bytes.len() < 1 << 20, "{}", bytes.len());
    let limits = Limits { max_part_bytes: 2 << 20, ..Limits::DEFAULT };
    let e = crate::xlsx::read_xlsx(std::io::Cursor::new(&bytes), &limits).unwrap_err();
    assert_eq!((e.code.as_str(), e.args["max"].as_str()), ("import-part-too-big", "2"));
    // shared strings too
    let sst = format!("<sst>{}</sst>", "<si><t>y</t></si>".repeat(200_000));
    let bytes = xlsx_with("<worksheet><sheetData/></worksheet>", Some(&sst));
    let e = crate::xlsx::read_xlsx(std::io::Cursor::new(&bytes), &limits).unwrap_err();
    assert_eq!(e.code, "import-part-too-big");
    // one text of 1 MB without a tag in between is refused before it is buffered
    let sst = format!("<sst><si><t>{}</t></si></sst>", "y".repeat(1 << 20));
    let bytes = xlsx_with("<worksheet><sheetData/></worksheet>", Some(&sst));
    let e = crate::xlsx::read_xlsx(std::io::Cursor::new(&bytes), &limits).unwrap_err();
    assert_eq!(e.code, "import-cell-too-long");
}

#[test]
fn hostile_csvs_are_refused_with_the_limit_named() {
    let dir = std::env::temp_dir().join(format!("mercator-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // 2 GB, sparse: refused from its size before a byte is read
    let big = dir.join("big.csv");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(2 << 30).unwrap();
    drop(f);
    let e = read_file(&big, &Limits::DEFAULT).unwrap_err();
    assert_eq!((e.code.as_str(), e.args["size"].as_str(), e.args["max"].as_str()), ("import-too-big", "2048", "1024"));
    std::fs::remove_file(&big).unwrap();
    // one cell of 8 MB: refused at the cell limit while reading
    let mut one = b"sku,title\nA-1,".to_vec();
    one.extend(std::iter::repeat_n(b'a', 8 << 20));
    let e = parse_table(&one).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.args["line"].as_str(), e.args["column"].as_str()),
        ("import-cell-too-long", "2", "B")
    );
    // a header of 100k columns
    let wide = format!("sku{}\nA-1\n", ",x".repeat(100_000));
    assert_eq!(parse_table(wide.as_bytes()).unwrap_err().code, "import-too-many-columns");
    // too many rows (limit lowered for speed)
    let limits = Limits { max_rows: 3, ..Limits::DEFAULT };
    let rows = "sku,title\nA,a\nB,b\nC,c\nD,d\n";
    let e = read_csv(std::io::Cursor::new(rows), &limits).unwrap_err();
    assert_eq!((e.code.as_str(), e.args["max"].as_str()), ("import-too-many-rows", "3"));
    // an old .xls / protected workbook is named as such
    assert_eq!(
        read_any(std::io::Cursor::new(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), &Limits::DEFAULT).unwrap_err().code,
        "import-old-xls"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn chunk_boundaries_and_line_numbers() {
    // multi-byte characters straddling the 64 KiB read chunks, in UTF-8 and in GBK
    let mut text = String::from("sku,title:zh-CN,cost\r\n");
    let mut n = 0;
    while text.len() < 300_000 {
        n += 1;
        text.push_str(&format!("SKU-{n},硅胶锅铲耐高温{n},1\r\n"));
        if n == 10 {
            text.push_str("\r\n\r\n"); // blank lines count as lines
        }
    }
    let t = parse_table(text.as_bytes()).unwrap();
    assert_eq!(t.len(), n);
    assert_eq!(t.row(9).unwrap().line, 11);
    assert_eq!(t.row(10).unwrap().line, 14, "two blank lines in between");
    assert!(t.rows().all(|r| r.get(1).unwrap().starts_with("硅胶锅铲耐高温")));
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let g = parse_table(&gbk).unwrap();
    assert_eq!(g.encoding, "GB18030");
    assert_eq!(g.len(), n);
    assert_eq!(
        g.rows().map(|r| r.get(1).unwrap().to_string()).collect::<Vec<_>>(),
        t.rows().map(|r| r.get(1).unwrap().to_string()).collect::<Vec<_>>()
    );
}

#[test]
fn a_row_cut_short_is_an_error_not_blanks() {
    // the last row of a file cut at a line boundary
    let text = "sku,title,cost,brand\nA-1,Lamp,1,Voltaro\nA-2,Lamp 2\n";
    let (_, ok, bad) = run(text.as_bytes());
    assert_eq!(ok.len(), 1);
    assert_eq!(bad[0].line, 3);
    let e = &bad[0].errors[0];
    assert_eq!(
        (e.code.as_str(), e.args["found"].as_str(), e.args["expected"].as_str()),
        ("import-row-short", "2", "4")
    );
    // cells past the header that hold data are not dropped silently
    let (_, _, bad) = run(b"sku,title,cost\nA-1,Lamp,1,stray\nA-2,Lamp,1,\n");
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].errors[0].code, "import-row-long");
}

#[test]
fn a_sellers_real_export_is_mapped() {
    let headers: Vec<String> = [
        "Seller SKU",
        "Parent SKU",
        "Cost (CNY)",
        "Title",
        "Titel (de)",
        "标题（中文）",
        "Title [ja-JP]",
        "Title - French",
        "Description (German)",
        "Bullet 1",
        "Bullet 2",
        "Bullet 1 (de)",
        "Weight (kg)",
        "Color",
        "Size",
        "EAN",
        "Keywords (DE)",
        "HS Code",
        "Country of Origin",
        "Stock",
        "Brand",
        "Notes",
        "重量",
        "Weight (lb)",
        "德语描述",
        "Shipping weight",
        "Farbe",
    ]
    .map(String::from)
    .to_vec();
    let keys: Vec<Option<String>> = guess_mapping(&headers).iter().map(|f| f.as_ref().map(Field::key)).collect();
    let k = |s: &str| Some(s.to_string());
    assert_eq!(
        keys,
        vec![
            k("sku"),
            k("parent"),
            k("cost:CNY"),
            k("title:en-US"),
            k("title:de-DE"),
            k("title:zh-CN"),
            k("title:ja-JP"),
            k("title:fr-FR"),
            k("description:de-DE"),
            k("bullet1:en-US"),
            k("bullet2:en-US"),
            k("bullet1:de-DE"),
            k("weight_kg"),
            k("attr:colour"),
            k("attr:size"),
            k("gtin"),
            k("keywords:de-DE"),
            k("hs_code"),
            k("origin"),
            k("stock"),
            k("brand"),
            None,
            // a second weight column and a second colour: the first one wins, these stay unmapped (and shown)
            None,
            None,
            None,
            None,
            None,
        ]
    );
    assert_eq!(guess_field("重量").map(|f| f.key()).as_deref(), Some("weight_g"));
    assert_eq!(guess_field("德语描述").map(|f| f.key()).as_deref(), Some("description:de-DE"));
    assert_eq!(guess_field("Weight"), None, "a weight without its unit is left for the user to map");
    let csv = "Seller SKU,Parent SKU,Cost (CNY),Title,Titel (de),Bullet 1,Bullet 2,Weight (kg),Color,Size,Notes\n\
               LAMP-1,LAMP-1,45.80,Desk lamp,Schreibtischlampe,Warm light,USB-C,0.35,Black,M,fragile\n\
               LAMP-2,LAMP-1,45.80,,,,,1.2345,White,L,\n\
               LAMP-3,,,Lamp 3,,,,abc,,,\n";
    let table = parse_table(csv.as_bytes()).unwrap();
    let mapping = guess_mapping(&table.headers);
    assert_eq!(unmapped_with_data(&table, &mapping), vec![10], "Notes holds data and maps to nothing");
    let (ok, bad) = validate(&table, &mapping, Currency::USD, &none()).unwrap();
    assert_eq!(ok[0].cost, Money::from_minor(4580, Currency::CNY), "the header's currency, not the shop's");
    assert_eq!(ok[0].titles, vec![("en-US".into(), "Desk lamp".into()), ("de-DE".into(), "Schreibtischlampe".into())]);
    assert_eq!(ok[0].bullets, vec![("en-US".to_string(), vec!["Warm light".to_string(), "USB-C".to_string()])]);
    assert_eq!((ok[0].weight_g, ok[1].weight_g), (350, 1235), "kg to whole grams, half up");
    assert_eq!(ok[0].attributes, vec![("colour".into(), "Black".into()), ("size".into(), "M".into())]);
    assert!(ok[1].filled.contains(&"attributes".to_string()));
    // the third row: no cost for a new product, and a weight that is no number
    let codes: Vec<&str> = bad[0].errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, vec!["import-cost-missing", "weight-invalid"]);
    // pounds and ounces exactly
    assert_eq!(parse_weight("1", WeightUnit::Lb).unwrap(), 454);
    assert_eq!(parse_weight("16", WeightUnit::Oz).unwrap(), 454);
    assert_eq!(parse_weight("-1", WeightUnit::Kg).unwrap_err().code, "weight-invalid");
    assert_eq!(parse_weight("20000", WeightUnit::Kg).unwrap_err().code, "weight-invalid");
}

#[test]
fn imported_cells_meet_the_editors_limits() {
    let long_desc = "d".repeat(20_001);
    let long_brand = "b".repeat(101);
    let csv = format!("sku,title,description,brand,cost\nA-1,Lamp,{long_desc},ok,1\nA-2,Lamp,ok,{long_brand},1\n");
    let (_, ok, bad) = run(csv.as_bytes());
    assert!(ok.is_empty());
    assert_eq!(bad[0].errors[0].code, "description-too-long");
    assert_eq!(bad[1].errors[0].code, "brand-too-long");
    // a cost with the currency's decimals: KWD has 3, JPY none
    let (_, ok, bad) =
        run("sku,title,cost,currency\nK-1,x,4.199,KWD\nJ-1,y,1980,JPY\nJ-2,z,19.8,JPY\nI-1,w,150000.50,IDR\n"
            .as_bytes());
    assert_eq!(
        ok.iter().map(|r| r.cost).collect::<Vec<_>>(),
        vec![
            Money::from_minor(4199, Currency::KWD),
            Money::from_minor(1980, Currency::JPY),
            Money::from_minor(15_000_050, "IDR".parse().unwrap()),
        ]
    );
    assert_eq!(bad[0].errors[0].code, "money-invalid");
}

#[test]
fn a_row_repeating_one_cell_and_markup_the_parser_would_buffer_whole_are_refused() {
    // one long shared string referenced by the same cell again and again:
    // refused at the second copy, not collected ten million times
    let long = "z".repeat(30_000);
    let repeat = r#"<c r="A2" t="s"><v>1</v></c>"#.repeat(1_000);
    let sheet = format!(
        r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2">{repeat}</row></sheetData></worksheet>"#
    );
    let shared = format!("<sst><si><t>sku</t></si><si><t>{long}</t></si></sst>");
    assert_eq!(crate::xlsx::parse_xlsx(&xlsx_with(&sheet, Some(&shared))).unwrap_err().code, "xlsx-unreadable");
    // a comment or CDATA (never written by Excel, buffered whole by the parser)
    let comment = format!("<worksheet><!--{}--><sheetData/></worksheet>", "<>".repeat(1000));
    assert_eq!(crate::xlsx::parse_xlsx(&xlsx_with(&comment, None)).unwrap_err().code, "xlsx-unreadable");
    let cdata =
        r#"<worksheet><sheetData><row r="1"><c r="A1" t="str"><v><![CDATA[x]]></v></c></row></sheetData></worksheet>"#;
    assert_eq!(crate::xlsx::parse_xlsx(&xlsx_with(cdata, None)).unwrap_err().code, "xlsx-unreadable");
    // a start tag whose quoted attribute holds < and > to reset a naive counter
    let attr = format!(r#"<worksheet><sheetData><row r="1" x="{}"/></sheetData></worksheet>"#, "<>".repeat(300_000));
    assert_eq!(crate::xlsx::parse_xlsx(&xlsx_with(&attr, None)).unwrap_err().code, "import-cell-too-long");
    // a row number at the end of u64 does not overflow
    let edge = r#"<worksheet><sheetData><row r="18446744073709551615"/><row><c r="A1" t="inlineStr"><is><t>sku</t></is></c></row></sheetData></worksheet>"#;
    assert_eq!(crate::xlsx::parse_xlsx(&xlsx_with(edge, None)).unwrap().headers, vec!["sku"]);
}
