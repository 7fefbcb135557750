app-name = Mercator
app-tagline = Cross-border seller cockpit

shop-unnamed = My shop

## Navigation
nav-catalog = Catalog
nav-pricing = Pricing
nav-orders = Orders
nav-inbox = Inbox
nav-warehouse = Warehouse
nav-settings = Settings

## Header and sync status
sync-idle = All changes saved locally
sync-pending = { $count ->
    [one] 1 change waiting to send
   *[other] { $count } changes waiting to send
}
sync-failed = { $count ->
    [one] 1 change failed to send
   *[other] { $count } changes failed to send
}
sync-tooltip = Edits are saved on this computer first and sent to your channels when online.
offline = Offline
offline-since = since { $time }
offline-waiting = { $count ->
    [0] nothing waiting to be sent
    [one] 1 change kept here, sent when back online
   *[other] { $count } changes kept here, sent when back online
}
offline-tooltip = Your channels cannot be reached from this computer. Keep working: everything is saved here, and orders are fetched and changes sent as soon as the connection is back.
offline-retry = Try now

## Common
loading = Loading…
list-empty = Nothing here yet.

## Catalog
catalog-title = Catalog
catalog-summary = { $products } products · { $variants } variants
catalog-search-placeholder = Search SKU, GTIN or title in any language
catalog-matches = { $count ->
    [one] 1 matching product
   *[other] { $count } matching products
}
catalog-matches-at-least = { $count }+ matching products, counting…
col-title = Title
col-brand = Brand
col-category = Category
col-variants = Variants
col-skus = SKUs
col-languages = Languages
col-currency = Currency
col-stock = Stock
col-cost = Unit cost

## Categories
category-kitchen = Kitchen
category-electronics = Electronics
category-home = Home
category-sports = Sports & outdoors
category-beauty = Beauty
category-pets = Pet supplies
category-office = Office
category-toys = Toys

## Pricing
pricing-title = Pricing
pricing-summary = { $count } listings across your channels
col-sku = SKU
col-channel = Channel
col-market = Market
col-price = List price
col-status = Status

## Orders
orders-title = Orders
orders-unreadable = { $count ->
    [one] 1 order from a channel could not be read
   *[other] { $count } orders from channels could not be read
}: set aside (the rest was stored), read again at every sync.
orders-unreadable-show = Show
orders-unreadable-hide = Hide
orders-unreadable-seen = tried { $count } times since { $since }
orders-summary = { $count ->
    [one] 1 order
   *[other] { $count } orders
}
col-order = Order
col-buyer = Buyer
col-ship-to = Ship to
col-total = Total
col-date = Ordered
col-items = Items

## Inbox
inbox-title = Inbox
inbox-summary = { $count } conversations · { $open } awaiting reply
col-subject = Subject
col-last-message = Last message
col-reply-by = Reply by
inbox-reply-by = Reply by { $time }
inbox-overdue = Overdue
inbox-awaiting = Awaiting reply
inbox-answered = Answered

## Warehouse
warehouse-title = Warehouse desk
warehouse-summary = Pick list: { $lines } lines from { $orders } orders to ship
col-quantity = Qty
col-orders = Orders

## Settings
settings-title = Settings
settings-language = Interface language
settings-language-help = Applies at once and is remembered.
settings-theme = Theme
theme-light = Light
theme-dark = Dark
theme-system = Same as system
settings-data-folder = Data folder
settings-database = Database file
settings-log-folder = Log folder
settings-open-log-folder = Open log folder
settings-version = Version
settings-vault = Credential storage
settings-vault-ok = Available: { $backend }. Channel tokens are stored only there.
settings-vault-checking = Checking…
settings-shop = Shop

## Channel kinds
channel-kind-amazon = Amazon
channel-kind-shopify = Shopify
channel-kind-woocommerce = WooCommerce
channel-kind-shopee = Shopee
channel-kind-tiktok = TikTok Shop
channel-kind-ebay = eBay

## Order status
order-status-pending = Pending
order-status-unshipped = To ship
order-status-shipped = Shipped
order-status-delivered = Delivered
order-status-cancelled = Cancelled
order-status-refunded = Refunded

## Listing status
listing-status-draft = Draft
listing-status-ready = Ready
listing-status-live = Live
listing-status-inactive = Inactive
listing-status-error = Error

## Product editor
editor-back = Back to catalog
editor-saving = Saving…
editor-saved = Saved on this computer
editor-add-language = Add language
editor-title = Title
editor-chars = { $count } / { $max } characters
editor-description = Description
editor-variants = Variants
editor-history = Change history
editor-undo = Undo
editor-undone = Undone
col-attributes = Attributes
col-gtin = GTIN / EAN
new-product-title = New product
new-product-create = Create product
new-product-cancel = Cancel
history-field-title = Title
history-field-description = Description
history-field-brand = Brand
history-field-sku = SKU
history-field-gtin = GTIN
history-field-cost-minor = Unit cost
history-field-stock = Stock
history-field-created = Created

## Import
import-button = Import CSV / Excel
import-title = Import products from a spreadsheet
import-choose = Choose a CSV, TSV or Excel (.xlsx) file (UTF-8 or GBK; comma, semicolon or tab separated). Rows with the same “parent” become variants of one product. Rows whose SKU is already in the catalog update it (only the cells they fill).
import-choose-button = Choose a file…
import-choose-title = Choose a spreadsheet to import
import-unmapped = { $count ->
    [one] 1 column holds data but is not imported:
   *[other] { $count } columns hold data but are not imported:
} choose what each one is below, or leave it ignored.
import-no-cost = No cost column is mapped: new products cannot be imported without a cost. Choose the cost column below.
import-group-product = Product
import-group-cost = Cost
import-group-measures = Weight
import-group-attributes = Variant attributes
import-field-sku = SKU
import-field-parent = Parent SKU
import-field-gtin = GTIN / EAN / UPC
import-field-brand = Brand
import-field-category = Category
import-field-stock = Stock
import-field-hs-code = HS code
import-field-origin = Country of origin
import-field-cost = Cost (in the row’s currency)
import-field-currency = Currency
import-field-cost-in = Cost in { $currency }
import-field-weight = Weight in { $unit }
import-field-attributes = Attributes (name=value; …)
import-field-attribute = Attribute “{ $name }”
import-field-title = Title: { $lang }
import-field-description = Description: { $lang }
import-field-bullets = Bullet points, one per line: { $lang }
import-field-keywords = Search keywords: { $lang }
import-field-bullet = Bullet point { $n }: { $lang }
import-file-info = { $encoding } · separator “{ $delimiter }” · { $total } rows
import-columns = Columns
import-column-ignored = ignored
import-valid = { $valid } of { $total } rows are valid
import-problems = Problems
import-line = Line { $line }
import-sample = First valid rows
import-valid-only = Import { $count } valid rows
import-all-or-nothing = Import all or nothing
import-cancel = Cancel
import-done = Imported { $imported } new variants; { $skipped } rows skipped.
import-done-updates = Imported { $imported } new variants, updated { $updated } products ({ $unchanged } rows already matched); { $skipped } rows skipped.
import-updates = { $count } rows name SKUs already in the catalog and update them: only the cells they fill change, empty cells keep what the catalog holds. { $new } rows are new.
import-row-update = update
import-row-new = new
import-undo-updates = Undo the updates
import-updates-undone = The updates of this import were undone.

## Start-up problems
startup-title = Mercator cannot open your shop
startup-file = File: { $path }
startup-move-aside = Move the file aside and start fresh
startup-move-aside-help = The file is renamed, not deleted; you can send it to support or restore it later.
startup-retry = Try again
startup-quit = Quit
startup-moved = The old file was kept as { $path }.

# Catalog: filters, bulk edit, export (issue 3)
filter-channel = Channel
filter-market = Market
filter-status = Listing status
filter-missing = Missing translation
filter-stock = Stock
filter-stock-in = In stock
filter-stock-low = Low stock (1–9)
filter-stock-out = Out of stock
filter-issues = Only with rule problems
filter-all = all
sort-by = Sort
sort-created = created
sort-sku = SKU
sort-title = title
sort-stock = stock
sort-cost = cost
sort-updated = last changed
sort-issues = rule problems
sort-direction = Reverse order
col-issues = Rules
export-csv = Export CSV
export-xlsx = Export Excel
export-done = Exported { $rows } rows to
export-reveal = Show in folder
bulk-selected = { $count } selected
bulk-select = Select
bulk-select-all = Select everything this filter shows
bulk-action = Bulk action
bulk-replace = Find and replace in titles
bulk-set-field = Set a field
bulk-attr-set = Set an attribute
bulk-attr-remove = Remove an attribute
bulk-status = Change listing status
bulk-language = Language
bulk-find = Find
bulk-replace-with = Replace with
bulk-value = Value
bulk-attr-name = Attribute (e.g. colour)
bulk-apply = Apply to selection
bulk-clear = Clear selection
bulk-done = Changed { $changed } fields in { $products } products. One undo reverts all of it.
bulk-undone = Bulk edit undone.
progress-count = { $done } / { $total }
progress-cancel = Cancel
editor-gtin-exempt = GTIN exemption (brand registered without barcodes)
editor-bullets = Bullet points
editor-bullet-n = Bullet point { $n }
editor-keywords = Search keywords
editor-images = Images
editor-main-image = main
editor-add-image = Add image
editor-remove = Remove
editor-variant-details = dimensions, customs, attributes, certificates
editor-expires = expires { $date }
editor-no-expiry = no expiry
editor-cert-reference = Document / certificate no.
editor-no-listings = This product is not listed on any channel yet.
editor-market-content = Buyers here read the { $lang } texts, unless overridden below.
editor-market-no-content = No texts in the market's language ({ $lang }) yet: add that language on the left.
editor-more-overrides = Bullet points, description and keywords for this market
editor-overridden = overridden
editor-override-hint = Leave a field empty to use the product's text. Changes to live listings are sent to the channel.
editor-make-main = Make main image
editor-move-left = Move left
editor-move-right = Move right
editor-image-variants = Which variants show this image
bulk-list-on = List on a channel account
bulk-listed = { $count } listings added as drafts for { $products } products (variants already listed there are kept).
editor-unpriced = Not priced yet
editor-unpriced-hint = Mercator sends no price for this listing until it is priced (Pricing → Reprice → Apply); stock and texts are sent once it is live.
editor-list-on = List on another channel account
editor-list-on-add = List
editor-list-on-hint = Adds this product's variants there as drafts under their SKUs; price them in Pricing and set them live here.
editor-markets = Markets and listings
editor-override-title = Title for this market ({ $lang })
editor-override-placeholder = Same as the product title in this language
rules-ok = Ready for this market
qty-stock = All available stock
qty-buffer = Available minus buffer
qty-fixed = Fixed quantity
conflict-title = { $channel } changed this listing since the last sync. Choose per field which version to keep.
conflict-base = Last synced
conflict-ours = Ours
conflict-theirs = Channel's
conflict-apply = Keep the chosen versions
history-field-bullets = Bullet points
history-field-keywords = Search keywords
history-field-category = Category
history-field-gtin-exempt = GTIN exemption
history-field-images = Images
history-field-weight-g = Weight
history-field-length-mm = Length
history-field-width-mm = Width
history-field-height-mm = Height
history-field-hs-code = HS code
history-field-origin = Country of origin
history-field-certifications = Certificates
history-field-attributes = Attributes
history-field-status = Listing status
history-field-seller-sku = Seller SKU
history-field-external-id = Channel item ID (ASIN …)
history-field-qty-policy = Quantity sent
history-field-qty-value = Quantity value
history-field-overrides = Market content
rule-title-missing = No title in the market's language ({ $lang })
rule-title-too-long = Title has { $count } characters; this channel allows { $max }
rule-title-forbidden-chars = Title contains characters this channel forbids: { $chars }
rule-bullets-missing = { $count } bullet points; this channel expects at least { $min }
rule-keywords-too-long = Search keywords are { $bytes } bytes; the limit is { $max }
rule-gtin-required = A GTIN is required (or a GTIN exemption)
rule-cert-required = { $cert } certificate required for { $market }
rule-cert-expired = { $cert } certificate expired on { $date }
rule-images-missing = At least { $min } image required
rule-image-too-small = An image is { $width }×{ $height } px; at least { $min } px on the longest side

## Pricing engine
pricing-tab-matrix = Price matrix
pricing-tab-review = Review changes
pricing-tab-rates = Exchange rates
pricing-tab-channels = Fees, tax and rules
pricing-reprice = Reprice everything
pricing-repricing = Pricing every variant on every channel…
pricing-reprice-done = { $priced } prices computed, { $cannot } cannot be priced, { $changes } listings would change (compute { $compute } ms, store { $persist } ms).
pricing-never-run = Prices have not been computed yet: choose “Reprice everything”.
pricing-last-run = Last run: { $count } prices · { $changes } listings would change · { $cannot } cannot be priced
pricing-filter-all = All variants
pricing-filter-problems = Cannot be priced
pricing-filter-low = Margin below 10 %
pricing-sort-sku = Sort by SKU
pricing-sort-margin = Margin on { $channel }
pricing-cannot = cannot price
pricing-now = now { $price }
pricing-definitions = Price: what the buyer sees (with tax where the market shows prices with tax). Net revenue: the sale without tax. Margin = profit ÷ net revenue. Profit = net revenue − channel fees − landed cost (purchase at the FX rate with your buffer, freight on chargeable weight, packaging, duty, fulfilment).
pricing-why = Why this price
pricing-close = Close
pricing-try-price = Try a price
pricing-evaluate = Profit at this price
pricing-summary-line = { $price } · profit { $profit } · margin { $margin }
pricing-promo = Promotion
pricing-promo-percent = Percent off
pricing-promo-amount = Amount off
pricing-promo-shipping = Free shipping from
pricing-promo-run = Show the effect
pricing-promo-result = With the promotion: { $price }, profit { $profit }, margin { $margin } (regular: { $regularMargin })
pricing-promo-ok = Within your limits.
pricing-review-empty = No listing would change. Reprice after changing costs, fees or rates.
pricing-review-count = { $count } listings would change
pricing-apply-all = Apply { $count } new prices
pricing-apply-channel = Only on { $channel }
pricing-applied = { $count } listing prices changed; live listings will be updated on their channels.
pricing-undo-apply = Undo
pricing-undone = The price changes were undone.
col-current = Now
col-proposed = New
col-change = Change
col-margin = Margin
pricing-rates-intro = Rates are units per 1 EUR, as the European Central Bank publishes them; other pairs are crossed through EUR. Costs are converted at a rate worse by your buffer.
pricing-rate-currency = Currency
pricing-rate-per-eur = Per 1 EUR
pricing-rate-date = Date
pricing-rate-source = Source
pricing-rate-age = { $days ->
    [0] today
    [one] 1 day old
   *[other] { $days } days old
}
pricing-rate-stale = old
pricing-rate-add = Save rate
pricing-ecb-import = Import an ECB file (eurofxref-daily.xml)
pricing-ecb-done = Imported { $rates } rates of { $days } days (latest { $date }).
pricing-buffer = FX safety buffer (%)
pricing-max-age = Warn when a rate is older than (days)
pricing-save = Save
pricing-saved = Saved.
pricing-channel = Channel
pricing-effective = Takes effect on
pricing-versions = Versions: { $list }
pricing-preset = Start from the preset
pricing-no-settings = This channel has no pricing settings yet: start from the preset.
pricing-fees = Channel fees
pricing-referral = Referral fee (%)
pricing-referral-min = Minimum per item
pricing-referral-category = Category
pricing-referral-default = all other categories
pricing-payment = Payment processing (%)
pricing-payment-fixed = Payment fixed fee
pricing-per-order = Fee per order
pricing-closing = Closing fee
pricing-on-gross = Referral fee on the price with tax
pricing-on-shipping = Referral fee also on shipping charged
pricing-tax = Tax
pricing-tax-label = Name
pricing-tax-rate = Rate (%)
pricing-tax-display = Prices shown
pricing-tax-inclusive = with tax
pricing-tax-exclusive = without tax (added at checkout)
pricing-tax-collector = Collected by
pricing-collector-seller = you (the seller)
pricing-collector-marketplace = the marketplace
pricing-collector-upto = the marketplace, up to
pricing-logistics = Landed cost
pricing-freight = First-leg freight per kg
pricing-divisor = Volumetric divisor
pricing-packaging = Packaging
pricing-duty = Duty, default (%)
pricing-duty-cif = Duty on cost + freight (CIF)
pricing-duty-table = Duty by HS code prefix (%)
pricing-tiers = Fulfilment fee by size tier
pricing-tier = Tier
pricing-tier-max = max g · mm
pricing-last-mile = Last mile (without a tier table)
pricing-shipping-charged = Shipping charged to the buyer
pricing-rules = Rules
pricing-target = Target
pricing-target-margin = Margin (%)
pricing-target-profit = Profit per unit
pricing-min-margin = Warn below margin (%)
pricing-ending = Price ending
pricing-rounding = Rounding
pricing-direction-up = up
pricing-direction-down = down
pricing-direction-nearest = nearest
pricing-floor = Floor
pricing-ceiling = Ceiling
pricing-map = MAP (minimum advertised)
pricing-add-row = + Add
pricing-amount-currency = currency
pricing-what-cost = the purchase cost
pricing-what-freight = freight per kg
pricing-what-packaging = packaging
pricing-what-fulfilment = the fulfilment fee
pricing-what-last-mile = the last mile
pricing-basis-gross-shipping = price + shipping, with tax
pricing-basis-gross = price with tax
pricing-basis-net-shipping = price + shipping, without tax
pricing-basis-net = price without tax
price-step-cost = Purchase cost { $amount }
price-step-fx = Converting { $what }: { $amount } × { $rate } ({ $source } { $date }) + { $buffer } buffer = { $result }
price-step-freight = Freight: chargeable weight { $chargeable } g (actual { $actual } g, volumetric { $volumetric } g at ÷{ $divisor }) × { $perKg }/kg = { $amount }
price-step-packaging = Packaging { $amount }
price-step-duty-cif = Duty { $rate } on cost + freight { $base } (HS { $hs }) = { $amount }
price-step-duty-fob = Duty { $rate } on cost { $base } (HS { $hs }) = { $amount }
price-step-fulfilment = Fulfilment fee, tier “{ $tier }”: { $amount }
price-step-last-mile = Last mile { $amount }
price-step-landed = Landed cost { $amount }
price-step-target-margin = Target: { $margin } margin on net revenue
price-step-target-profit = Target: { $profit } profit per unit
price-step-solve = Price that meets the target exactly: { $raw }
price-step-rounding = Rounded { $direction } to the ending { $ending }: { $from } → { $to }
price-step-rounding-raised = Rounding { $direction } to { $ending } would miss the target, so the next ending up: { $from } → { $to }
price-step-floor = Raised to the floor { $limit }: { $to }
price-step-map = Raised to the minimum advertised price { $limit }: { $to }
price-step-ceiling = Capped at the ceiling { $limit }: { $to }
price-step-price = Price { $price }, shipping charged { $shipping }
price-step-tax-included-marketplace = { $label } { $rate } is included ({ $amount }); { $channel } collects and remits it, you do not.
price-step-tax-included-seller = { $label } { $rate } is included ({ $amount }); you remit it.
price-step-tax-added-marketplace = { $label } { $rate } is added at checkout ({ $amount }) and remitted by { $channel }.
price-step-tax-added-seller = { $label } { $rate } is added at checkout ({ $amount }); you remit it.
price-step-net-revenue = Net revenue (without tax) { $amount }
price-step-referral = Referral fee { $rate } of { $base } ({ $basis }) = { $amount }
price-step-referral-min = Referral fee: the minimum { $min } applies ({ $rate } of { $base } is less)
price-step-payment = Payment processing { $rate } = { $amount }
price-step-per-order = Fee per order { $amount }
price-step-closing = Closing fee { $amount }
price-step-fees = Channel fees in all { $amount }
price-step-profit = Profit { $amount }, margin { $margin }
pricing-ecb-fetch = Fetch today's ECB rates

## Channel accounts
accounts-title = Channel accounts
accounts-intro = Connect your marketplace accounts: orders are pulled on their own every 15 minutes (and with “Sync now”), page by page; a run that is interrupted continues where it stopped.
accounts-add = Connect an account
accounts-kind = Channel
accounts-name = Name
accounts-client-id = LWA client id
accounts-seller-id = Seller ID (merchant token, for prices, stock and texts)
accounts-client-secret = LWA client secret
accounts-refresh-token = Refresh token
accounts-advanced = Endpoints
accounts-endpoint = SP-API endpoint
accounts-token-url = Token endpoint
accounts-store-url = Store address (https://…)
accounts-consumer-key = Consumer key
accounts-consumer-secret = Consumer secret
accounts-shop-url = Shopify store address (https://your-shop.myshopify.com)
accounts-access-token = Admin API access token (shpat_…)
accounts-keyring-note = Secrets are stored in your system's credential store (Keychain, Credential Manager, Secret Service), never in the shop file.
accounts-connect = Connect
accounts-added = { $name } is connected.
accounts-demo = demo channel, not connected
accounts-running = syncing: { $fetched } orders, { $pages } pages…
accounts-synced-at = synced { $at }
accounts-unreadable = { $count } could not be read and were set aside (see Orders).
accounts-log-unreadable = { $count } could not be read: { $ids }
accounts-never = not synced yet
accounts-paused = paused
accounts-resumes = continues where it stopped
accounts-rate = rate limit { $rate }
accounts-orders = { $count } orders
accounts-sync-now = Sync now
accounts-test = Test connection
accounts-test-ok = { $name }: the connection works.
accounts-pause = Pause
accounts-resume = Resume
accounts-log = Sync log
accounts-log-page = { $fetched } fetched, { $created } new, { $updated } updated
accounts-synced = { $name }: { $fetched } orders fetched, { $created } new, { $updated } updated.
accounts-backoff = { $count } failed runs in a row: next try at { $at } (Sync now tries at once)
settings-pii-policy = Buyer names, addresses and order payloads are deleted { $days } days after shipment (counted from the ship date, not from when Mercator saw it), { $days } days after a cancellation or refund, and from any order older than half a year; order numbers, amounts and items are kept. The same goes for the backups taken before upgrades: the newest { $backups } are kept, older ones deleted; a damaged database set aside is deleted after { $days } days.
order-status-partially_shipped = Partially shipped
orders-search = Order number or buyer
orders-from = from
orders-to = to
order-unit-price = Unit price
order-not-in-catalog = This SKU is not in the catalog
order-shipped-n = { $n } shipped
order-subtotal = Items
order-tax = Tax
order-shipping = Shipping
order-timeline = Timeline
order-placed = Placed { $at } (marketplace time UTC{ $offset })
order-channel-updated = Last changed on the channel { $at }
order-shipped-at = Seen as shipped { $at }
order-purged = Buyer data deleted { $at }
order-ship-to = Ship to
order-address-purged = The buyer's address was deleted after shipment.
order-no-address = No address from the channel.
order-raw = The channel's data (for support)
outbox-problems = Changes that could not be sent
outbox-kind-listing-stock = Stock quantity
outbox-kind-order-tracking = Tracking upload
outbox-kind-listing-price = Price
outbox-kind-listing-update = Listing content
outbox-kind-listing-status = Listing status
outbox-kind-message-reply = Reply to a buyer
outbox-kind-message-chat = Chat reply to a buyer
outbox-kind-chat-read = Chat marked read
outbox-kind-message-amazon = Amazon message to a buyer
outbox-dead = stopped after { $attempts } attempts
outbox-next = next attempt { $at }
outbox-retry = Retry now
outbox-retried = Sent { $sent }, { $failed } still failing.
ship-title = Mark shipped
ship-carrier = Carrier
ship-date = Ship date
ship-notify = Tell the buyer (the channel sends the tracking)
ship-mode-each = { $count ->
    [one] The chosen order
   *[other] The { $count } chosen orders
}
ship-mode-list = Paste a list
ship-tracking = Tracking number
ship-tracking-placeholder = Scan or type
ship-list-help = One order per line: the order number, then the tracking number (tab, comma or spaces between). Copy the columns from the carrier's export.
ship-problems = { $count ->
    [one] 1 line needs fixing; nothing was saved.
   *[other] { $count } lines need fixing; nothing was saved.
}
ship-problem-line = Line { $line }: { $error }
ship-submit = Mark shipped
ship-cancel = Cancel
ship-done = { $shipped ->
    [one] 1 order marked shipped
   *[other] { $shipped } orders marked shipped
}{ $queued ->
    [0] .
   *[other] ; the tracking goes to the channel now ({ $queued }).
}
ship-unchanged = { $count } already had this tracking number.
orders-selected = { $count } selected
orders-clear-selection = Clear
orders-ship-selected = Mark shipped…
orders-paste-list = Paste shipping list…
orders-select-row = Choose this order
order-mark-shipped = Mark shipped…
order-shipments = Shipments
order-shipment-local = Recorded in Mercator (this channel is not connected)
order-shipment-pending = Waiting to be sent to the channel
order-shipment-sending = Sending to the channel…
order-shipment-sent = Sent to the channel { $at }
order-shipment-failed = Not accepted by the channel: { $error }
nav-stock = Stock
stock-title = Stock
stock-summary = { $count ->
    [one] 1 variant
   *[other] { $count } variants
}
stock-oversold = { $count ->
    [one] 1 variant has more on open orders than in stock
   *[other] { $count } variants have more on open orders than in stock
}
stock-intro = On hand per warehouse; open orders reserve their units until they ship. Each channel is offered what is left (minus the listing's buffer), and hears of a change within a minute.
stock-search = SKU or title
stock-oversold-only = Only oversold
stock-add-warehouse = Add warehouse
stock-warehouse-name = Name
stock-warehouse-kind = Kind
stock-kind-own = Own warehouse
stock-kind-3pl = 3PL / overseas warehouse
stock-kind-fba = Amazon FBA (read only)
stock-fba-column = FBA · { $name }
stock-fba-tooltip = What Amazon can ship from its fulfilment centres now, read with each sync of the account. It sells only through Amazon, so it is not in what the other channels are offered.
stock-default-warehouse = Main warehouse
stock-reserved = Reserved
stock-available = To sell
stock-flag-oversold = Oversold by { $count }
stock-flag-out = Out of stock
stock-saved = { $sku } counted. { $count ->
    [0] No channel needs a new quantity.
    [one] 1 listing gets the new quantity now.
   *[other] { $count } listings get the new quantity now.
}
capability-orders = Orders
capability-inventory = Stock
capability-listings = Prices & texts
capability-tracking = Tracking
capability-messages = Messages
accounts-link = Link listings
accounts-link-hint = Reads this account's listings from the channel and links them with the catalog by SKU (live or inactive as they are there, at their price there). Their quantities then follow Mercator's stock.
accounts-linked = { $name }: { $read } listings read, { $linked } linked with the catalog, { $updated } given the channel's id.
accounts-linked-unknown = { $count ->
    [one] 1 SKU is not in the catalog ({ $skus }).
   *[other] { $count } SKUs are not in the catalog ({ $skus }…).
}
accounts-log-fba = FBA stock read: { $fetched } SKUs at Amazon, { $matched } of them in the catalog, { $changed } counts changed
accounts-log-fba-error = FBA stock not read (orders are fine): { $error }
accounts-shopee-host-other = Other API host (sandbox: https://partner.test-stable.shopeemobile.com)
accounts-shopee-host = API host
accounts-partner-id = Partner ID
accounts-shop-id = Shop ID
accounts-partner-key = Partner key
accounts-shopee-refresh = Refresh token (from authorizing the shop; renewed automatically)

date-invalid = Not a date: type it as { $pattern }
date-year = yyyy
date-month = mm
date-day = dd

## Inbox: reply clocks and what a reply to a marketplace buyer must not carry
reply-state-closed = No reply needed
reply-state-answered = Answered
reply-state-waiting = Awaiting reply
reply-state-due = Reply by { $time }
reply-state-due-soon = Reply soon: by { $time }
reply-state-overdue = Overdue since { $time }
reply-lint-link = Remove the link “{ $text }”: marketplaces do not allow links to buyers.
reply-lint-email = Remove the e-mail address “{ $text }”: marketplace buyers are answered through the marketplace.
reply-lint-phone = Remove the phone number “{ $text }”: marketplaces do not allow contact details.
reply-lint-marketing = Remove “{ $text }”: offers and review requests are not allowed in replies.
notify-new-message = { $count ->
    [one] New buyer message
   *[other] { $count } new buyer messages
}

## the support inbox
inbox-check-mail = Check mail
inbox-mailboxes = Mailboxes
inbox-search = Search every message…
inbox-channel = Channel
inbox-all-channels = All channels
inbox-filter-needs-reply = Needs reply
inbox-filter-overdue = Overdue
inbox-filter-has-order = Has order
inbox-filter-unread = Unread
inbox-unread = { $count } unread
inbox-replies-waiting = { $count ->
    [one] 1 reply waiting to send
   *[other] { $count } replies waiting to send
}
inbox-replies-failed = { $count ->
    [one] 1 reply not sent
   *[other] { $count } replies not sent
}
inbox-choose = Choose a conversation on the left.
inbox-no-reply-needed = No reply needed
inbox-you = You
inbox-message-received = Received
inbox-message-waiting = Waiting to send
inbox-message-sent = Sent
inbox-message-failed = Not sent
inbox-auto = Automatic
inbox-original-text = What you wrote
inbox-show-formatted = Show formatted
inbox-show-text = Show as text
inbox-images-blocked = { $count ->
    [one] 1 remote image blocked
   *[other] { $count } remote images blocked
}
inbox-attachment = attachment
inbox-attachment-not-kept = not kept
inbox-attachment-opened = Opened { $name } with its program.
inbox-attachment-runs-code = { $name } is not a picture or a common document and could run a program, so Mercator does not open it. It was saved to { $path } and is shown in its folder; open it only if you trust the sender.
inbox-link-goes-to = This link goes to { $host }:
inbox-link-mismatch = The message shows { $shown }, but the link goes to { $host }. The sender may not be who they claim to be.
inbox-link-open = Open in browser
inbox-link-cancel = Cancel
inbox-retry = Retry
inbox-order = Order { $number }
inbox-ship-to = Ships to { $country }
inbox-buyer-time = Buyer's time now: { $time }
inbox-template = Template
inbox-template-auto = Template for { $lang }
inbox-use-template = Use template
inbox-reply-in = Reply in { $lang }
inbox-reply-placeholder = Write your reply…
inbox-send-anyway = I checked it: send anyway
inbox-send = Send
inbox-chat-subject = Chat on { $channel }
inbox-chat-not-enabled = Shopee has not enabled chat for this app, so this conversation cannot be answered here. Ask Shopee to grant the app the seller chat module, or answer in Seller Centre.
inbox-message-purged = The buyer's data in this message was deleted (30 days after shipment, as the marketplaces require).
nav-badge-overdue = { $count } overdue
nav-badge-needs-reply = { $count } to answer
close = Close
mailbox-title = Mailboxes
mailbox-intro = Amazon relays buyer messages to your mailbox, and your own store's contact form writes there too. Mercator reads new mail as it arrives and sends your replies from this address.
mailbox-account = Channel account
mailbox-address = E-mail address
mailbox-username = User name
mailbox-password = Password
mailbox-imap-host = Incoming mail (IMAP) server
mailbox-smtp-host = Outgoing mail (SMTP) server
mailbox-port = Port
mailbox-security = Encryption
mailbox-security-none = None (this computer only)
mailbox-sent-folder = Sent folder
mailbox-reply-hours = Reply within (hours)
mailbox-add = Add mailbox
mailbox-check = Check
mailbox-remove = Remove
mailbox-check-ok = Logged in: both folders found.
mailbox-status-ok = Connected
mailbox-status-new = Not checked yet

# Amazon's Messaging API (messages Amazon allows about an order)
inbox-amazon-messages = Amazon messages
inbox-amazon-ask = Ask Amazon what this order allows
inbox-amazon-note = Amazon's own message kinds about this order. They do not answer the buyer's mail: reply below for that.
inbox-amazon-none = Amazon allows no message for this order now.
inbox-amazon-kind = Kind of message
inbox-amazon-text = Message to the buyer
inbox-amazon-send = Send through Amazon
inbox-amazon-choose-pdf = Choose the PDF and send
inbox-amazon-document-note = Amazon sends the PDF you choose to the buyer (up to 10 MB); it is kept with the message.
inbox-amazon-warranty-from = Covered from
inbox-amazon-warranty-to = until (last day)
inbox-amazon-not-offered = needs a document
inbox-amazon-sent-as = Amazon: { $kind }
amazon-kind-confirmDeliveryDetails = Confirm delivery details
amazon-kind-unexpectedProblem = Unexpected problem
amazon-kind-confirmOrderDetails = Confirm order details
amazon-kind-confirmCustomizationDetails = Confirm customisation details
amazon-kind-confirmServiceDetails = Confirm service details
amazon-kind-digitalAccessKey = Digital access key
amazon-kind-warranty = Warranty
amazon-kind-invoice = Invoice
amazon-kind-legalDisclosure = Legal disclosure
inbox-translate = Translate into { $lang }
inbox-translated-to = Translated into { $lang } (DeepL)
inbox-translate-reply = Translate into { $lang }
inbox-your-text = Your text (sent along as the original)
inbox-undo-translation = Back to my text
settings-translation = Translation
settings-translation-help = Buyers' messages translated beside the original, and replies written in your language turned into the buyer's before sending. Uses DeepL with your own key, kept in this computer's keyring. Without a key, or offline, the inbox works untranslated.
settings-translation-on = DeepL is set up.
settings-translation-off = No translation key: messages are shown as they are.
settings-translation-key = DeepL authentication key
settings-translation-save = Check and save
settings-translation-remove = Remove key
settings-translation-advanced = Other DeepL address
settings-translation-endpoint = DeepL address
settings-translation-saved = The key works ({ $used } of { $limit } characters used this period) and is in the keyring.
