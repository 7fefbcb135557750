//! Shipping: the carriers a seller ships with (and what each channel calls
//! them), tracking-number checks, and the "order number, tracking number"
//! lists a warehouse pastes from a carrier's export.

use crate::{ErrorCode, ErrorPayload};

/// A carrier, as Mercator knows it and as each channel names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Carrier {
    /// Mercator's code (stored with a shipment).
    pub code: &'static str,
    /// What people call it.
    pub name: &'static str,
    /// Amazon's `carrierCode` (confirmShipment).
    pub amazon: &'static str,
    /// Shopify's `trackingInfo.company` (a name Shopify recognises, so the
    /// buyer gets a tracking link).
    pub shopify: &'static str,
    /// The public tracking page, `{n}` for the number.
    pub url: &'static str,
}

macro_rules! carriers {
    ($($code:literal, $name:literal, $amazon:literal, $shopify:literal, $url:literal;)*) => {
        pub const CARRIERS: &[Carrier] = &[$(Carrier { code: $code, name: $name, amazon: $amazon, shopify: $shopify, url: $url },)*];
    };
}

carriers! {
    "UPS", "UPS", "UPS", "UPS", "https://www.ups.com/track?tracknum={n}";
    "USPS", "USPS", "USPS", "USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={n}";
    "FEDEX", "FedEx", "FedEx", "FedEx", "https://www.fedex.com/fedextrack/?trknbr={n}";
    "DHL", "DHL Express", "DHL", "DHL Express", "https://www.dhl.com/global-en/home/tracking/tracking-express.html?tracking-id={n}";
    "DHL_ECOM", "DHL eCommerce", "DHL eCommerce", "DHL eCommerce", "https://webtrack.dhlecs.com/?trackingnumber={n}";
    "DHL_DE", "DHL Paket", "DHL", "DHL Express", "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode={n}";
    "DPD", "DPD", "DPD", "DPD", "https://tracking.dpd.de/parcelstatus?query={n}";
    "GLS", "GLS", "GLS", "GLS", "https://gls-group.com/track/{n}";
    "HERMES", "Hermes", "Hermes", "Hermes", "https://www.myhermes.de/empfangen/sendungsverfolgung/sendungsinformation#{n}";
    "ROYAL_MAIL", "Royal Mail", "Royal Mail", "Royal Mail", "https://www.royalmail.com/track-your-item#/tracking-results/{n}";
    "JAPAN_POST", "Japan Post", "Japan Post", "Japan Post (EN)", "https://trackings.post.japanpost.jp/services/srv/search/?requestNo1={n}";
    "YAMATO", "Yamato Transport", "Yamato Transport", "Yamato (EN)", "https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01={n}";
    "SAGAWA", "Sagawa Express", "Sagawa Express", "Sagawa (EN)", "https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo={n}";
    "CHINA_POST", "China Post", "China Post", "China Post", "https://track.chinapost.com.cn/?mailNo={n}";
    "CAINIAO", "Cainiao", "Cainiao", "Cainiao", "https://global.cainiao.com/newDetail.htm?mailNoList={n}";
    "YANWEN", "Yanwen", "Yanwen", "Yanwen", "https://track.yw56.com.cn/en/querydel?nums={n}";
    "YUNEXPRESS", "YunExpress", "Yun Express", "YunExpress", "https://www.yuntrack.com/parcelTracking?id={n}";
    "4PX", "4PX", "4PX", "4PX", "https://track.4px.com/#/result/0/{n}";
    "SF", "SF Express", "SF Express", "SF Express", "https://www.sf-international.com/us/en/dynamic_function/waybill/#search/bill-number/{n}";
}

pub fn carrier(code: &str) -> Option<&'static Carrier> {
    CARRIERS.iter().find(|c| c.code.eq_ignore_ascii_case(code))
}

impl Carrier {
    pub fn tracking_url(&self, number: &str) -> String {
        self.url.replace("{n}", number)
    }
}

/// An S10 (UPU) item number's check digit: `RR123456785CN`.
fn s10_check(digits: &[u8]) -> u8 {
    const W: [u32; 8] = [8, 6, 4, 2, 3, 5, 9, 7];
    let sum: u32 = digits.iter().zip(W).map(|(d, w)| u32::from(d - b'0') * w).sum();
    match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        c => c as u8,
    }
}

fn is_s10(n: &[u8]) -> bool {
    n.len() == 13
        && n[..2].iter().all(u8::is_ascii_uppercase)
        && n[2..11].iter().all(u8::is_ascii_digit)
        && n[11..].iter().all(u8::is_ascii_uppercase)
}

/// The tracking number as the carrier prints it (spaces dropped, upper
/// case), or why it cannot be one.
pub fn normalize_tracking(carrier: &Carrier, raw: &str) -> Result<String, ErrorPayload> {
    let n: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    let bad = || ErrorPayload::new(ErrorCode::TrackingFormat).arg("carrier", carrier.name).arg("number", raw.trim());
    if n.is_empty() {
        return Err(ErrorPayload::new(ErrorCode::TrackingEmpty));
    }
    if !(6..=40).contains(&n.len()) || !n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(bad());
    }
    let b = n.as_bytes();
    if is_s10(b) && s10_check(&b[2..10]) != b[10] - b'0' {
        return Err(ErrorPayload::new(ErrorCode::TrackingCheckDigit).arg("number", &n));
    }
    let digits = b.iter().all(u8::is_ascii_digit);
    let ok = match carrier.code {
        // 1Z + 16, or the 9/12-digit and T + 10 forms
        "UPS" => {
            (n.starts_with("1Z") && n.len() == 18)
                || (digits && matches!(n.len(), 9 | 12))
                || (n.starts_with('T') && n.len() == 11)
        }
        "USPS" => (digits && (20..=22).contains(&n.len())) || is_s10(b),
        "FEDEX" => digits && matches!(n.len(), 12 | 15 | 20 | 22),
        "JAPAN_POST" => (digits && (11..=12).contains(&n.len())) || is_s10(b),
        "YAMATO" | "SAGAWA" => digits && (10..=12).contains(&n.len()),
        "CHINA_POST" | "ROYAL_MAIL" => is_s10(b) || (b.len() >= 10 && b[0].is_ascii_alphabetic()),
        _ => true,
    };
    if ok {
        Ok(n)
    } else {
        Err(bad())
    }
}

/// One line of a pasted shipping list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipLine {
    /// 1-based line number in the pasted text.
    pub line: usize,
    pub order: String,
    pub tracking: String,
}

/// Reads "order number, tracking number" lines: separated by a tab, a
/// comma, a semicolon or spaces; blank lines, `#` comments and a header
/// line are skipped. A line with an order but no tracking number is an
/// error naming the line.
pub fn parse_ship_lines(text: &str) -> Result<Vec<ShipLine>, Vec<(usize, ErrorPayload)>> {
    let mut out = vec![];
    let mut errors = vec![];
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        // `#` starts a comment, except a Shopify order name (`#1004`)
        let comment = line.starts_with('#') && !line[1..].starts_with(|c: char| c.is_ascii_digit());
        if line.is_empty() || comment {
            continue;
        }
        let parts: Vec<&str> = line.split(['\t', ',', ';']).map(str::trim).filter(|p| !p.is_empty()).collect();
        let parts: Vec<&str> = if parts.len() == 1 { line.split_whitespace().collect() } else { parts };
        // a header row ("Order ID, Tracking"): no digits past the first column
        if i == 0 && parts.len() > 1 && !parts[1..].iter().any(|p| p.bytes().any(|b| b.is_ascii_digit())) {
            continue;
        }
        match parts.as_slice() {
            [order, tracking] => {
                out.push(ShipLine { line: i + 1, order: order.to_string(), tracking: tracking.to_string() });
            }
            [order, rest @ ..]
                if !rest.is_empty() && rest.iter().all(|r| r.chars().all(|c| c.is_ascii_alphanumeric())) =>
            {
                // a number printed in groups: "1Z 999 AA1 01 2345 6784"
                out.push(ShipLine { line: i + 1, order: order.to_string(), tracking: rest.concat() });
            }
            _ => errors
                .push((i + 1, ErrorPayload::new(ErrorCode::ShipLineMalformed).arg("line", i + 1).arg("text", line))),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s10_numbers_are_checked() {
        let cp = carrier("CHINA_POST").unwrap();
        assert_eq!(normalize_tracking(cp, "rr 123456785 cn").unwrap(), "RR123456785CN");
        assert_eq!(normalize_tracking(cp, "RR123456784CN").unwrap_err().code, "tracking-check-digit");
        // any carrier: an S10 number with a wrong check digit is a typo
        assert_eq!(
            normalize_tracking(carrier("YANWEN").unwrap(), "LX123456784CN").unwrap_err().code,
            "tracking-check-digit"
        );
    }

    #[test]
    fn carrier_formats() {
        let ups = carrier("ups").unwrap();
        assert_eq!(normalize_tracking(ups, "1Z 999 AA1 01 2345 6784").unwrap(), "1Z999AA10123456784");
        assert_eq!(normalize_tracking(ups, "1Z999").unwrap_err().code, "tracking-format");
        assert_eq!(normalize_tracking(carrier("FEDEX").unwrap(), "123456789012").unwrap(), "123456789012");
        assert_eq!(normalize_tracking(carrier("FEDEX").unwrap(), "ABC").unwrap_err().code, "tracking-format");
        assert_eq!(
            normalize_tracking(carrier("YUNEXPRESS").unwrap(), "YT2412345678901234").unwrap(),
            "YT2412345678901234"
        );
        assert_eq!(normalize_tracking(carrier("DHL").unwrap(), "  ").unwrap_err().code, "tracking-empty");
        assert_eq!(normalize_tracking(carrier("DHL").unwrap(), "12<script>").unwrap_err().code, "tracking-format");
        assert_eq!(
            carrier("UPS").unwrap().tracking_url("1Z999AA10123456784"),
            "https://www.ups.com/track?tracknum=1Z999AA10123456784"
        );
        assert!(carrier("NOPE").is_none());
    }

    #[test]
    fn pasted_lists() {
        let text = "Order ID\tTracking\n302-1234567-1234567\t1Z999AA10123456784\n\n# note\n#1004, YT2412345678901234\n#1005 1Z 999 AA1 01 2345 6784\n";
        let lines = parse_ship_lines(text).unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[0],
            ShipLine { line: 2, order: "302-1234567-1234567".into(), tracking: "1Z999AA10123456784".into() }
        );
        assert_eq!(lines[1].order, "#1004");
        assert_eq!(lines[2].tracking, "1Z999AA10123456784");
        // a first line that is an order, even one with "order" in it, is not a header
        assert_eq!(parse_ship_lines("NO-SUCH-ORDER\t1Z999AA10123456784").unwrap().len(), 1);
        assert!(parse_ship_lines("订单号,运单号\n").unwrap().is_empty());
        let errs = parse_ship_lines("302-1234567-1234567\n").unwrap_err();
        assert_eq!(errs[0].0, 1);
        assert_eq!(errs[0].1.code, "ship-line-malformed");
    }
}
