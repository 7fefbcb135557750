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
                OK-5,Fine,,\n\
                OLD,,,\n";
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
            ("OK-5", false, vec![]),
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
