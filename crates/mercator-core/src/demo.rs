//! The demo shop: a realistic, deterministic cross-border catalogue that a
//! first run loads so a seller can look around, and a generator for large
//! shops (100k SKUs) used by benchmarks. Pure data: the store writes it.

use crate::money::{Currency, Money};
use crate::rng::SplitMix64;
use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKind {
    Amazon,
    Shopify,
    WooCommerce,
    Shopee,
    TikTok,
    Ebay,
}

impl ChannelKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ChannelKind::Amazon => "amazon",
            ChannelKind::Shopify => "shopify",
            ChannelKind::WooCommerce => "woocommerce",
            ChannelKind::Shopee => "shopee",
            ChannelKind::TikTok => "tiktok",
            ChannelKind::Ebay => "ebay",
        }
    }
}

#[derive(Debug, Clone)]
pub struct DemoChannel {
    pub kind: ChannelKind,
    pub name: String,
    /// ISO 3166 market, e.g. `DE`.
    pub market: String,
    pub currency: Currency,
    /// Buyer language most messages arrive in.
    pub language: String,
    /// Price = cost * markup_percent / 100 converted; stands in for the
    /// pricing engine until it exists.
    pub fx_per_cny_milli: i64,
}

#[derive(Debug, Clone)]
pub struct DemoText {
    pub lang: &'static str,
    pub title: String,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct DemoVariant {
    pub sku: String,
    pub gtin: String,
    pub attributes: Vec<(String, String)>,
    pub cost: Money,
    pub weight_g: i64,
    pub stock: i64,
    /// One price per channel, index-aligned with `DemoShop::channels`.
    pub prices: Vec<Money>,
}

#[derive(Debug, Clone)]
pub struct DemoProduct {
    pub brand: String,
    pub category: String,
    pub texts: Vec<DemoText>,
    pub variants: Vec<DemoVariant>,
}

use crate::order::OrderState;

#[derive(Debug, Clone)]
pub struct DemoOrderLine {
    pub sku: String,
    pub title: String,
    pub quantity: i64,
    pub unit_price: Money,
}

#[derive(Debug, Clone)]
pub struct DemoOrder {
    pub channel: usize,
    pub external_id: String,
    pub status: OrderState,
    pub buyer_name: String,
    pub ship_country: String,
    pub ordered_at: OffsetDateTime,
    pub lines: Vec<DemoOrderLine>,
    pub shipping: Money,
}

impl DemoOrder {
    pub fn total(&self) -> Money {
        self.lines.iter().fold(self.shipping, |acc, l| {
            acc.checked_add(l.unit_price.checked_mul(l.quantity).expect("demo amounts are small"))
                .expect("one currency per order")
        })
    }
}

#[derive(Debug, Clone)]
pub struct DemoMessage {
    pub inbound: bool,
    pub body: String,
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct DemoConversation {
    pub channel: usize,
    pub order_external_id: Option<String>,
    pub buyer_name: String,
    pub buyer_lang: String,
    pub subject: String,
    pub reply_by: OffsetDateTime,
    pub messages: Vec<DemoMessage>,
}

#[derive(Debug, Clone)]
pub struct DemoShop {
    pub name: String,
    pub base_currency: Currency,
    pub channels: Vec<DemoChannel>,
    pub products: Vec<DemoProduct>,
    pub orders: Vec<DemoOrder>,
    pub conversations: Vec<DemoConversation>,
}

/// Product categories of the demo and generated shops (UI label: `category-<id>`).
pub const CATEGORIES: &[&str] = &["kitchen", "electronics", "home", "sports", "beauty", "pets", "office", "toys"];

/// (category, brand, en, de, zh, variant axis, cost in CNY fen, weight g)
type ProductSeed = (&'static str, &'static str, &'static str, &'static str, &'static str, Axis, i64, i64);

#[derive(Debug, Clone, Copy)]
enum Axis {
    Colour,
    Size,
    Length,
    Capacity,
    Pack,
}

const PRODUCTS: &[ProductSeed] = &[
    (
        "kitchen",
        "Hearthly",
        "Silicone Spatula Set, 5 Pieces, Heat Resistant",
        "Silikon-Spatel-Set, 5-teilig, hitzebeständig",
        "硅胶锅铲套装 5件 耐高温",
        Axis::Colour,
        1850,
        320,
    ),
    (
        "kitchen",
        "Hearthly",
        "Stainless Steel Garlic Press",
        "Knoblauchpresse aus Edelstahl",
        "不锈钢压蒜器",
        Axis::Colour,
        1290,
        280,
    ),
    (
        "kitchen",
        "Hearthly",
        "Collapsible Silicone Food Storage Containers",
        "Faltbare Silikon-Frischhaltedosen",
        "可折叠硅胶保鲜盒",
        Axis::Pack,
        2680,
        540,
    ),
    (
        "kitchen",
        "Hearthly",
        "Bamboo Cutting Board with Juice Groove",
        "Bambus-Schneidebrett mit Saftrille",
        "带导流槽竹制砧板",
        Axis::Size,
        2250,
        1100,
    ),
    (
        "kitchen",
        "Hearthly",
        "Electric Milk Frother, Handheld",
        "Elektrischer Milchaufschäumer, Handgerät",
        "手持电动奶泡器",
        Axis::Colour,
        1580,
        150,
    ),
    (
        "kitchen",
        "Hearthly",
        "Reusable Beeswax Food Wraps",
        "Wiederverwendbare Bienenwachstücher",
        "可重复使用蜂蜡保鲜布",
        Axis::Pack,
        1420,
        120,
    ),
    (
        "kitchen",
        "Hearthly",
        "Digital Kitchen Scale, 0.1 g Precision",
        "Digitale Küchenwaage, 0,1 g genau",
        "电子厨房秤 0.1克精度",
        Axis::Colour,
        3150,
        620,
    ),
    (
        "kitchen",
        "Hearthly",
        "Insulated Lunch Bag for Adults",
        "Isolierte Lunchtasche für Erwachsene",
        "成人保温午餐包",
        Axis::Colour,
        2380,
        300,
    ),
    (
        "electronics",
        "Voltaro",
        "USB-C to USB-C Cable, 100 W Fast Charging",
        "USB-C auf USB-C Kabel, 100 W Schnellladen",
        "USB-C转USB-C数据线 100W快充",
        Axis::Length,
        890,
        60,
    ),
    (
        "electronics",
        "Voltaro",
        "65 W GaN Charger, 3 Ports",
        "65 W GaN-Ladegerät, 3 Anschlüsse",
        "65W氮化镓充电器 三口",
        Axis::Colour,
        6850,
        130,
    ),
    (
        "electronics",
        "Voltaro",
        "Magnetic Wireless Power Bank 10000 mAh",
        "Magnetische kabellose Powerbank 10000 mAh",
        "磁吸无线充电宝 10000毫安",
        Axis::Colour,
        8900,
        210,
    ),
    (
        "electronics",
        "Voltaro",
        "Bluetooth 5.3 Wireless Earbuds with ANC",
        "Bluetooth 5.3 kabellose Ohrhörer mit ANC",
        "蓝牙5.3主动降噪无线耳机",
        Axis::Colour,
        11800,
        55,
    ),
    (
        "electronics",
        "Voltaro",
        "Smart Wi-Fi Plug with Energy Monitor",
        "Smarte WLAN-Steckdose mit Verbrauchsmessung",
        "智能WiFi插座 带电量统计",
        Axis::Pack,
        3600,
        95,
    ),
    (
        "electronics",
        "Voltaro",
        "LED Desk Lamp with Wireless Charger",
        "LED-Schreibtischlampe mit kabellosem Ladegerät",
        "带无线充电的LED台灯",
        Axis::Colour,
        9800,
        980,
    ),
    (
        "electronics",
        "Voltaro",
        "Laptop Stand, Adjustable Aluminium",
        "Laptopständer, verstellbar, Aluminium",
        "铝合金可调节笔记本支架",
        Axis::Colour,
        5200,
        860,
    ),
    (
        "electronics",
        "Voltaro",
        "Mechanical Keyboard, 75% Layout, Hot-Swap",
        "Mechanische Tastatur, 75 %-Layout, Hot-Swap",
        "75%配列热插拔机械键盘",
        Axis::Colour,
        16800,
        900,
    ),
    (
        "electronics",
        "Voltaro",
        "Webcam 1080p with Privacy Cover",
        "Webcam 1080p mit Sichtschutz",
        "1080P高清摄像头 带隐私盖",
        Axis::Colour,
        7400,
        180,
    ),
    ("electronics", "Voltaro", "HDMI 2.1 Cable 8K", "HDMI-2.1-Kabel 8K", "HDMI 2.1 8K高清线", Axis::Length, 1650, 120),
    (
        "home",
        "Nestwell",
        "Blackout Curtains, Thermal Insulated, 2 Panels",
        "Verdunkelungsvorhänge, Thermo, 2 Stück",
        "遮光隔热窗帘 两片装",
        Axis::Size,
        8600,
        1800,
    ),
    (
        "home",
        "Nestwell",
        "Memory Foam Pillow, Ergonomic",
        "Memory-Schaum-Kissen, ergonomisch",
        "人体工学记忆棉枕头",
        Axis::Size,
        7800,
        1400,
    ),
    (
        "home",
        "Nestwell",
        "Motion Sensor Night Light, Rechargeable",
        "Nachtlicht mit Bewegungsmelder, aufladbar",
        "充电式感应小夜灯",
        Axis::Pack,
        2100,
        160,
    ),
    (
        "home",
        "Nestwell",
        "Vacuum Storage Bags with Hand Pump",
        "Vakuumbeutel mit Handpumpe",
        "真空压缩收纳袋 附手泵",
        Axis::Pack,
        3300,
        700,
    ),
    (
        "home",
        "Nestwell",
        "Bamboo Drawer Organiser",
        "Schubladen-Organizer aus Bambus",
        "竹制抽屉收纳盒",
        Axis::Size,
        4200,
        900,
    ),
    (
        "home",
        "Nestwell",
        "Waterproof Shower Curtain with Hooks",
        "Wasserdichter Duschvorhang mit Haken",
        "防水浴帘 附挂钩",
        Axis::Colour,
        2600,
        600,
    ),
    (
        "home",
        "Nestwell",
        "Aroma Diffuser, Ultrasonic, 300 ml",
        "Aroma-Diffusor, Ultraschall, 300 ml",
        "超声波香薰机 300毫升",
        Axis::Colour,
        5600,
        450,
    ),
    (
        "home",
        "Nestwell",
        "Cotton Bath Towel Set",
        "Badetuch-Set aus Baumwolle",
        "纯棉浴巾套装",
        Axis::Colour,
        6900,
        1600,
    ),
    (
        "sports",
        "Trailpeak",
        "Resistance Bands Set with Handles",
        "Widerstandsbänder-Set mit Griffen",
        "带手柄弹力带套装",
        Axis::Pack,
        3900,
        800,
    ),
    (
        "sports",
        "Trailpeak",
        "Non-Slip Yoga Mat, 6 mm",
        "Rutschfeste Yogamatte, 6 mm",
        "防滑瑜伽垫 6毫米",
        Axis::Colour,
        5800,
        1200,
    ),
    (
        "sports",
        "Trailpeak",
        "Insulated Water Bottle, Stainless Steel",
        "Isolierte Trinkflasche aus Edelstahl",
        "不锈钢保温水壶",
        Axis::Capacity,
        4400,
        380,
    ),
    (
        "sports",
        "Trailpeak",
        "Adjustable Jump Rope with Counter",
        "Verstellbares Springseil mit Zähler",
        "可调节计数跳绳",
        Axis::Colour,
        1900,
        210,
    ),
    (
        "sports",
        "Trailpeak",
        "Cycling Gloves, Half Finger, Gel Padded",
        "Fahrradhandschuhe, Halbfinger, Gelpolster",
        "半指骑行手套 凝胶垫",
        Axis::Size,
        2300,
        90,
    ),
    (
        "sports",
        "Trailpeak",
        "Camping Headlamp, 1200 Lumen, USB Rechargeable",
        "Stirnlampe, 1200 Lumen, USB-aufladbar",
        "USB充电头灯 1200流明",
        Axis::Colour,
        3500,
        110,
    ),
    (
        "sports",
        "Trailpeak",
        "Lightweight Hiking Backpack 30 L",
        "Leichter Wanderrucksack 30 L",
        "轻量登山背包 30升",
        Axis::Colour,
        9900,
        700,
    ),
    (
        "sports",
        "Trailpeak",
        "Quick-Dry Microfibre Towel",
        "Schnelltrocknendes Mikrofaserhandtuch",
        "速干超细纤维毛巾",
        Axis::Size,
        1700,
        250,
    ),
    (
        "beauty",
        "Lumière Lab",
        "Facial Cleansing Brush, Silicone, Waterproof",
        "Gesichtsreinigungsbürste, Silikon, wasserdicht",
        "硅胶防水洁面仪",
        Axis::Colour,
        4800,
        160,
    ),
    (
        "beauty",
        "Lumière Lab",
        "Heatless Hair Curler Set",
        "Lockenwickler-Set ohne Hitze",
        "无热卷发器套装",
        Axis::Colour,
        1500,
        120,
    ),
    (
        "beauty",
        "Lumière Lab",
        "Makeup Brush Set, 12 Pieces, Vegan",
        "Make-up-Pinselset, 12-teilig, vegan",
        "12支素食化妆刷套装",
        Axis::Colour,
        3800,
        280,
    ),
    (
        "beauty",
        "Lumière Lab",
        "LED Vanity Mirror, Tri-Fold",
        "LED-Schminkspiegel, dreifach klappbar",
        "三折LED化妆镜",
        Axis::Colour,
        6100,
        900,
    ),
    (
        "beauty",
        "Lumière Lab",
        "Satin Scrunchies, Pack",
        "Satin-Haargummis, Packung",
        "缎面发圈 多只装",
        Axis::Pack,
        900,
        60,
    ),
    (
        "pets",
        "Pawsome",
        "Self-Cleaning Slicker Brush for Dogs and Cats",
        "Selbstreinigende Zupfbürste für Hunde und Katzen",
        "猫狗自清洁针梳",
        Axis::Colour,
        2200,
        180,
    ),
    ("pets", "Pawsome", "Slow Feeder Dog Bowl", "Anti-Schling-Napf für Hunde", "狗狗慢食碗", Axis::Size, 1800, 350),
    ("pets", "Pawsome", "Cat Window Hammock", "Katzen-Fensterhängematte", "猫咪窗户吊床", Axis::Colour, 3600, 700),
    (
        "pets",
        "Pawsome",
        "Retractable Dog Leash 5 m",
        "Ausziehbare Hundeleine 5 m",
        "自动伸缩狗绳 5米",
        Axis::Colour,
        2900,
        320,
    ),
    (
        "pets",
        "Pawsome",
        "Interactive Cat Toy with Feathers",
        "Interaktives Katzenspielzeug mit Federn",
        "羽毛逗猫玩具",
        Axis::Pack,
        1200,
        100,
    ),
    (
        "office",
        "Inkwise",
        "A5 Dotted Notebook, Hardcover",
        "A5-Notizbuch, gepunktet, Hardcover",
        "A5硬壳点阵笔记本",
        Axis::Colour,
        1600,
        300,
    ),
    (
        "office",
        "Inkwise",
        "Gel Pens, 0.5 mm, Assorted Colours",
        "Gelstifte, 0,5 mm, verschiedene Farben",
        "0.5毫米彩色中性笔",
        Axis::Pack,
        1100,
        150,
    ),
    (
        "office",
        "Inkwise",
        "Desk Organiser with Drawers",
        "Schreibtisch-Organizer mit Schubladen",
        "带抽屉桌面收纳架",
        Axis::Colour,
        3900,
        850,
    ),
    (
        "office",
        "Inkwise",
        "Ergonomic Mouse Pad with Wrist Rest",
        "Ergonomisches Mauspad mit Handgelenkauflage",
        "人体工学护腕鼠标垫",
        Axis::Colour,
        1900,
        260,
    ),
    (
        "toys",
        "Brightbloc",
        "Magnetic Building Tiles, Educational",
        "Magnetische Bausteine, lehrreich",
        "益智磁力片积木",
        Axis::Pack,
        9800,
        1500,
    ),
    (
        "toys",
        "Brightbloc",
        "Wooden Puzzle Box for Toddlers",
        "Holzpuzzle-Box für Kleinkinder",
        "幼儿木制拼图盒",
        Axis::Colour,
        4600,
        900,
    ),
];

fn axis_values(axis: Axis) -> (&'static [(&'static str, &'static str, &'static str)], &'static str) {
    // (code for SKU, English value, zh value) and the attribute name
    match axis {
        Axis::Colour => {
            (&[("BLK", "Black", "黑色"), ("WHT", "White", "白色"), ("BLU", "Navy Blue", "藏青色")], "colour")
        }
        Axis::Size => (&[("S", "S", "小号"), ("M", "M", "中号"), ("L", "L", "大号")], "size"),
        Axis::Length => (&[("1M", "1 m", "1米"), ("2M", "2 m", "2米"), ("3M", "3 m", "3米")], "length"),
        Axis::Capacity => {
            (&[("500", "500 ml", "500毫升"), ("750", "750 ml", "750毫升"), ("1L", "1 l", "1升")], "capacity")
        }
        Axis::Pack => (&[("P1", "1 pack", "1件装"), ("P3", "3 pack", "3件装"), ("P6", "6 pack", "6件装")], "pack"),
    }
}

/// EAN-13 check digit for the first 12 digits.
pub fn ean13_check_digit(first12: &str) -> Option<u8> {
    if first12.len() != 12 || !first12.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first12.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 }).sum();
    Some(((10 - sum % 10) % 10) as u8)
}

/// Whether `gtin` is a valid GTIN-8/12/13/14 (digits and check digit).
pub fn is_valid_gtin(gtin: &str) -> bool {
    let len = gtin.len();
    if ![8, 12, 13, 14].contains(&len) || !gtin.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    // Right-aligned weights 3,1,3,1... excluding the check digit.
    let digits: Vec<u32> = gtin.bytes().map(|b| u32::from(b - b'0')).collect();
    let body = &digits[..len - 1];
    let sum: u32 = body.iter().rev().enumerate().map(|(i, d)| d * if i % 2 == 0 { 3 } else { 1 }).sum();
    (10 - sum % 10) % 10 == digits[len - 1]
}

fn gtin_for(n: u64) -> String {
    // 694 is a GS1 China prefix; the company part is fictional.
    let first12 = format!("694{:09}", n % 1_000_000_000);
    let check = ean13_check_digit(&first12).expect("12 digits");
    format!("{first12}{check}")
}

fn demo_channels() -> Vec<DemoChannel> {
    vec![
        DemoChannel {
            kind: ChannelKind::Amazon,
            name: "Amazon.de".into(),
            market: "DE".into(),
            currency: Currency::EUR,
            language: "de-DE".into(),
            fx_per_cny_milli: 128, // 1 CNY = 0.128 EUR
        },
        DemoChannel {
            kind: ChannelKind::Amazon,
            name: "Amazon.com".into(),
            market: "US".into(),
            currency: Currency::USD,
            language: "en-US".into(),
            fx_per_cny_milli: 139,
        },
        DemoChannel {
            kind: ChannelKind::Shopify,
            name: "Hearthly Store (Shopify)".into(),
            market: "JP".into(),
            currency: Currency::JPY,
            language: "ja-JP".into(),
            fx_per_cny_milli: 20_800, // 1 CNY = 20.8 JPY
        },
    ]
}

/// Demo list price: cost x markup, converted, with a market price ending
/// (.99 for cent currencies, tens ending in 80 for JPY). Integer math only.
fn demo_price(cost_fen: i64, markup_percent: i64, ch: &DemoChannel) -> Money {
    // cost_fen (CNY minor, exp 2) * fx/1000 * markup/100 -> target minor units
    let exp = ch.currency.exponent();
    let target_minor = cost_fen * ch.fx_per_cny_milli * markup_percent * 10i64.pow(exp) / (100 * 1000 * 100);
    let minor = if exp == 0 {
        // JPY: round up to the next ...80
        (target_minor / 100) * 100 + 80
    } else {
        (target_minor / 100) * 100 + 99
    };
    Money::from_minor(minor.max(1), ch.currency)
}

fn build_product(seed: &ProductSeed, index: usize, channels: &[DemoChannel], sku_prefix: &str) -> DemoProduct {
    let (category, brand, en, de, zh, axis, cost_fen, weight_g) = *seed;
    let (values, attr_name) = axis_values(axis);
    let cat_code = category[..3].to_ascii_uppercase();
    let variants = values
        .iter()
        .enumerate()
        .map(|(vi, (code, value_en, value_zh))| {
            let cost = cost_fen + (vi as i64) * cost_fen / 10;
            let n = (index as u64) * 10 + vi as u64;
            DemoVariant {
                sku: format!("{sku_prefix}{cat_code}-{:05}-{code}", index + 1),
                gtin: gtin_for(n + 100_000),
                attributes: vec![(attr_name.to_string(), format!("{value_en} / {value_zh}"))],
                cost: Money::from_minor(cost, Currency::CNY),
                weight_g: weight_g + (vi as i64) * weight_g / 5,
                stock: ((n * 37 + 11) % 240) as i64,
                prices: channels.iter().map(|ch| demo_price(cost, 380, ch)).collect(),
            }
        })
        .collect();
    DemoProduct {
        brand: brand.to_string(),
        category: category.to_string(),
        texts: vec![
            DemoText {
                lang: "zh-CN",
                title: zh.to_string(),
                description: format!("{zh}。品牌：{brand}。跨境直发，品质保证。"),
            },
            DemoText {
                lang: "en-US",
                title: en.to_string(),
                description: format!("{en} by {brand}. Ships from our EU and US warehouses."),
            },
            DemoText {
                lang: "de-DE",
                title: de.to_string(),
                description: format!("{de} von {brand}. Versand aus unseren Lagern in der EU."),
            },
        ],
        variants,
    }
}

/// A realistic mix: most orders to ship, shipped or delivered; a few others.
const STATUS_MIX: [OrderState; 12] = [
    OrderState::Unshipped,
    OrderState::Shipped,
    OrderState::Delivered,
    OrderState::Unshipped,
    OrderState::Pending,
    OrderState::Delivered,
    OrderState::Shipped,
    OrderState::Cancelled,
    OrderState::Unshipped,
    OrderState::Delivered,
    OrderState::Refunded,
    OrderState::Shipped,
];

const BUYERS: &[(&str, &str, &str)] = &[
    // (name, country, language)
    ("Lukas Schneider", "DE", "de-DE"),
    ("Anna Müller", "DE", "de-DE"),
    ("Jonas Becker", "AT", "de-DE"),
    ("Emily Johnson", "US", "en-US"),
    ("Michael Brown", "US", "en-US"),
    ("Olivia Davis", "US", "en-US"),
    ("佐藤 健", "JP", "ja-JP"),
    ("鈴木 花子", "JP", "ja-JP"),
    ("高橋 大輔", "JP", "ja-JP"),
];

const MESSAGES: &[(&str, &str, &str)] = &[
    // (lang, subject, body)
    (
        "de-DE",
        "Wo ist meine Bestellung?",
        "Hallo, meine Bestellung ist seit einer Woche unterwegs. Können Sie mir die Sendungsnummer schicken?",
    ),
    ("de-DE", "Falsche Farbe geliefert", "Ich habe Schwarz bestellt, aber Weiß bekommen. Wie kann ich das umtauschen?"),
    ("en-US", "Does this fit a 15 inch laptop?", "Hi! Will the stand hold a 15\" laptop securely? Thanks."),
    (
        "en-US",
        "Return request",
        "The item arrived damaged <b>please</b> advise how to return it. <script>alert(1)</script>",
    ),
    ("ja-JP", "配送について", "こんにちは。いつ届きますか？急ぎで必要です。"),
    ("ja-JP", "領収書の発行", "領収書を発行していただけますか。宛名は会社名でお願いします。"),
];

/// The demo shop loaded on first run: 50 products x 3 variants, 3 channels,
/// three dozen orders in every state and currency, six buyer conversations.
pub fn demo_shop(now: OffsetDateTime) -> DemoShop {
    let channels = demo_channels();
    let products: Vec<DemoProduct> =
        PRODUCTS.iter().enumerate().map(|(i, seed)| build_product(seed, i, &channels, "")).collect();
    let mut rng = SplitMix64::new(20_261_122);
    let mut orders = Vec::new();
    for i in 0..36usize {
        let channel = i % channels.len();
        let ch = &channels[channel];
        let buyer = BUYERS[(channel * 3) + (i / 3) % 3];
        let status = STATUS_MIX[(i + i / STATUS_MIX.len()) % STATUS_MIX.len()];
        let mut lines = Vec::new();
        for _ in 0..rng.range(1, 3) {
            let p = rng.pick(&products);
            let v = rng.pick(&p.variants);
            let title = p.texts.iter().find(|t| t.lang == ch_text_lang(ch)).unwrap_or(&p.texts[1]);
            lines.push(DemoOrderLine {
                sku: v.sku.clone(),
                title: title.title.clone(),
                quantity: rng.range(1, 3),
                unit_price: v.prices[channel],
            });
        }
        let shipping = match ch.currency.exponent() {
            0 => Money::from_minor(if i % 2 == 0 { 0 } else { 550 }, ch.currency),
            _ => Money::from_minor(if i % 2 == 0 { 0 } else { 499 }, ch.currency),
        };
        let external_id = match ch.kind {
            ChannelKind::Amazon => {
                format!("{:03}-{:07}-{:07}", 300 + channel, 1_234_567 + i * 7919, 7_654_321 - i * 104_729)
            }
            _ => format!("#{}", 1001 + i),
        };
        orders.push(DemoOrder {
            channel,
            external_id,
            status,
            buyer_name: buyer.0.to_string(),
            ship_country: buyer.1.to_string(),
            ordered_at: now - Duration::hours((i as i64) * 9 + 2),
            lines,
            shipping,
        });
    }
    let conversations = MESSAGES
        .iter()
        .enumerate()
        .map(|(i, (lang, subject, body))| {
            let channel = channels.iter().position(|c| c.language == *lang).unwrap_or(0);
            let order = orders.iter().filter(|o| o.channel == channel).nth(i % 2);
            // spread over the last day and a half: some answered, one due soon, one past its clock
            let at = now - Duration::hours((i as i64) * 6 + 1);
            let mut messages = vec![DemoMessage { inbound: true, body: body.to_string(), at }];
            if i % 3 == 1 {
                messages.push(DemoMessage {
                    inbound: false,
                    body: "Thank you for your message, we are checking this for you.".into(),
                    at: at + Duration::minutes(40),
                });
            }
            DemoConversation {
                channel,
                order_external_id: order.map(|o| o.external_id.clone()),
                buyer_name: order.map_or_else(|| BUYERS[0].0.to_string(), |o| o.buyer_name.clone()),
                buyer_lang: lang.to_string(),
                subject: subject.to_string(),
                reply_by: at + Duration::hours(24),
                messages,
            }
        })
        .collect();
    DemoShop {
        name: "Shenzhen Hearthly Trading Co. 深圳炉边贸易".into(),
        base_currency: Currency::CNY,
        channels,
        products,
        orders,
        conversations,
    }
}

fn ch_text_lang(ch: &DemoChannel) -> &'static str {
    match ch.market.as_str() {
        "DE" | "AT" => "de-DE",
        _ => "en-US",
    }
}

/// A large generated catalogue for benchmarks: `variant_count` SKUs in
/// products of three variants each, titles in zh/en/de. Deterministic.
/// Yields products lazily so a 100k-SKU shop never sits in memory whole.
pub fn generated_products(variant_count: usize) -> impl Iterator<Item = DemoProduct> {
    let channels = demo_channels();
    let product_count = variant_count.div_ceil(3);
    (0..product_count).map(move |i| {
        let seed = &PRODUCTS[i % PRODUCTS.len()];
        let mut p = build_product(seed, i, &channels, "G");
        let series = i / PRODUCTS.len() + 1;
        for t in &mut p.texts {
            t.title = match t.lang {
                "zh-CN" => format!("{} 第{series}代", t.title),
                "de-DE" => format!("{} – Serie {series}", t.title),
                _ => format!("{} – Series {series}", t.title),
            };
        }
        let remaining = variant_count - i * 3;
        p.variants.truncate(remaining.min(3));
        p
    })
}

/// The channels of a generated shop (same as the demo's).
pub fn generated_channels() -> Vec<DemoChannel> {
    demo_channels()
}

/// The demo shop's reply templates: a shipping update in the shop's buyers'
/// languages (name, language, text with template variables).
pub fn demo_templates() -> Vec<crate::inbox::Template> {
    let t = |name: &str, lang: &str, body: &str| crate::inbox::Template {
        name: name.into(),
        lang: lang.into(),
        body: body.into(),
    };
    vec![
        t("Shipping update", "en-US", "Hello {buyer_name},\n\nthank you for your message. Your order {order_number} ({items}) is on its way with {carrier}, tracking number {tracking_number}.\n\nKind regards,\nHearthly"),
        t("Shipping update", "de-DE", "Hallo {buyer_name},\n\nvielen Dank für Ihre Nachricht. Ihre Bestellung {order_number} ({items}) ist mit {carrier} unterwegs, Sendungsnummer {tracking_number}.\n\nFreundliche Grüße\nHearthly"),
        t("Shipping update", "ja-JP", "{buyer_name} 様\n\nお問い合わせありがとうございます。ご注文 {order_number}（{items}）は {carrier} にて発送済みです。追跡番号：{tracking_number}\n\nHearthly"),
        t("Shipping update", "zh-CN", "{buyer_name} 您好：\n\n感谢您的留言。您的订单 {order_number}（{items}）已由 {carrier} 发出，运单号 {tracking_number}。\n\nHearthly"),
        t("Thanks, we are on it", "en-US", "Hello {buyer_name},\n\nthank you for your message about order {order_number}. We are checking it and will get back to you within a day.\n\nKind regards,\nHearthly"),
        t("Thanks, we are on it", "de-DE", "Hallo {buyer_name},\n\nvielen Dank für Ihre Nachricht zur Bestellung {order_number}. Wir prüfen das und melden uns innerhalb eines Tages.\n\nFreundliche Grüße\nHearthly"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn demo_shop_is_realistic() {
        let shop = demo_shop(datetime!(2026-11-22 08:00 UTC));
        assert_eq!(shop.products.len(), 50);
        assert_eq!(shop.channels.len(), 3);
        assert!(shop.orders.len() >= 24);
        assert!(shop.conversations.len() >= 3);
        let mut skus = std::collections::HashSet::new();
        for p in &shop.products {
            for lang in ["zh-CN", "en-US", "de-DE"] {
                assert!(p.texts.iter().any(|t| t.lang == lang && !t.title.is_empty()));
            }
            for v in &p.variants {
                assert!(skus.insert(v.sku.clone()), "duplicate sku {}", v.sku);
                assert!(is_valid_gtin(&v.gtin), "{}", v.gtin);
                assert_eq!(v.prices.len(), 3);
                assert_eq!(v.prices[2].currency(), Currency::JPY);
                assert_eq!(v.prices[2].minor() % 100, 80, "JPY price ends in 80");
                assert_eq!(v.prices[0].minor() % 100, 99, "EUR price ends in .99");
            }
        }
        // every status (but a partial shipment, which needs shipment records)
        // and every channel currency appear among orders
        for s in OrderState::ALL.into_iter().filter(|s| *s != OrderState::PartiallyShipped) {
            assert!(shop.orders.iter().any(|o| o.status == s), "no {s:?} order");
        }
        for (i, ch) in shop.channels.iter().enumerate() {
            let o = shop.orders.iter().find(|o| o.channel == i).unwrap();
            assert_eq!(o.total().currency(), ch.currency);
        }
    }

    #[test]
    fn demo_is_deterministic() {
        let now = datetime!(2026-11-22 08:00 UTC);
        let a = demo_shop(now);
        let b = demo_shop(now);
        assert_eq!(a.orders.len(), b.orders.len());
        for (x, y) in a.orders.iter().zip(&b.orders) {
            assert_eq!(x.external_id, y.external_id);
            assert_eq!(x.total(), y.total());
        }
    }

    #[test]
    fn generated_shop_has_exact_count_and_unique_skus() {
        let products: Vec<_> = generated_products(1_000).collect();
        let skus: std::collections::HashSet<_> =
            products.iter().flat_map(|p| p.variants.iter().map(|v| v.sku.clone())).collect();
        assert_eq!(skus.len(), 1_000);
        assert!(products[60].texts[0].title.contains("第2代"));
        assert!(products.iter().all(|p| CATEGORIES.contains(&p.category.as_str())));
    }

    #[test]
    fn gtin_check_digits() {
        assert_eq!(ean13_check_digit("400638133393"), Some(1));
        assert!(is_valid_gtin("4006381333931"));
        assert!(!is_valid_gtin("4006381333932"));
        assert!(is_valid_gtin("036000291452")); // UPC-A
        assert!(is_valid_gtin("96385074")); // EAN-8
        assert!(!is_valid_gtin("12345"));
        assert!(!is_valid_gtin("40063813339a1"));
    }
}
