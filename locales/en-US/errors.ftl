# One message per error code; the UI shows error-<code> with its arguments.
error-data-dir-missing = The data folder { $path } does not exist, and neither does its parent folder. Check the path given with --data-dir or MERCATOR_DATA_DIR.
error-data-dir-not-dir = { $path } is a file, not a folder. Give --data-dir a folder.
error-data-dir-read-only = Mercator cannot write to the data folder { $path }. Choose a folder you can write to, or fix its permissions.
error-db-locked = The shop database { $path } is in use by another Mercator window or program. Close it and try again.
error-db-corrupt = The shop database { $path } is damaged or is not a Mercator database ({ $detail }).
error-db-not-sqlite = The file { $path } is not a Mercator shop database (it is not an SQLite file). It may have been replaced or damaged.
error-db-foreign = The file { $path } holds another program's data, not a Mercator shop.
error-db-newer-version = The shop database { $path } was written by a newer version of Mercator (schema { $found }, this version knows { $known }). Update Mercator to open it; the file was not changed.
error-db-migration-failed = Updating the shop database { $path } failed ({ $detail }). Nothing was changed; a backup is at { $backup }.
error-db-io = The shop database could not be read or written ({ $detail }).
error-db-backup-failed = Could not back up { $path } before updating it ({ $detail }). Nothing was changed.
error-store-not-open = The shop database is not open.
error-vault-unavailable = The system credential store is not available ({ $detail }). On Linux, start a keyring such as GNOME Keyring and unlock it; Mercator never stores tokens elsewhere.
error-vault-no-entry = No saved credential for { $account }.
error-vault-bad-secret = The saved credential for { $account } is unreadable; enter it again.
error-vault-token-not-saved = Shopee gave this account a new access token, but the system keyring did not take it. Mercator keeps using it while it runs and stores it again at the next sync; if the app closes first, connect the account again. Check that the keyring is unlocked.
error-invalid-argument = Invalid value for { $field }: { $detail }
error-unknown-flag = Unknown option { $flag }. Usage: mercator [--data-dir PATH] [--demo | --no-demo]
error-data-dir-required = Give --data-dir a folder path, e.g. --data-dir ~/Mercator/shop2.
error-invalid-env-flag = { $name } must be 1 or 0 (or true/false), not “{ $value }”.
error-unknown-language = Unsupported language { $lang }. Choose 简体中文 or English.
error-unknown-theme = Unknown theme { $theme }.
error-open-folder-failed = Could not open the folder { $path } ({ $detail }).
error-not-found = { $what } was not found.
error-internal = Something went wrong inside Mercator ({ $detail }). Details are in the log folder.
error-sku-empty = Enter a SKU.
error-sku-too-long = A SKU can have at most { $max } characters.
error-sku-bad-char = The SKU “{ $sku }” contains a space or control character ({ $char }); use letters, digits and - _ . / only.
error-sku-taken = The SKU “{ $sku }” is already used by another variant. SKUs must be unique.
error-gtin-format = “{ $gtin }” is not a GTIN: enter 8, 12, 13 or 14 digits (EAN-8, UPC, EAN/JAN, GTIN-14), or leave it empty.
error-gtin-check-digit = The GTIN { $gtin } has a wrong check digit: the last digit should be { $expected }. Check for a typing error.
error-title-empty = Enter a title.
error-title-too-long = The text is too long: at most { $max } characters.
error-language-tag = “{ $tag }” is not a language tag such as de-DE, ja-JP or zh-CN.
error-money-invalid = “{ $value }” is not an amount in { $currency } (at most { $decimals } decimals, not negative).
error-revision-conflict = { $what } was changed meanwhile (in another window or by a sync). Your change was not saved; the latest version is shown.
error-undo-conflict = This change cannot be undone: { $field } was changed again afterwards. Undo the later change first.
error-stock-invalid = Stock must be a whole number of 0 or more, not “{ $value }”.
error-import-empty = The file is empty.
error-import-not-text = This is not a CSV/text file (or its encoding is not UTF-8 or GBK). Save it from Excel as “CSV UTF-8” and try again.
error-import-malformed = The file is broken near line { $line }: a quoted field is not closed, or the file was cut off. Nothing was imported.
error-import-no-sku-column = No SKU column found. Name a column “SKU” (or 货号).
error-import-no-title-column = No title column found. Name a column “Title (en-US)”, “标题” or “title:zh-CN”.
error-import-duplicate-sku = The SKU “{ $sku }” appears more than once in the file.
error-import-has-errors = { $count } rows have problems, so nothing was imported. Fix them, or choose to import only the valid rows.
error-import-unreadable = The file could not be read from the disk. Check that it still exists and that Mercator may read it.
error-import-too-big = The file is too large: { $size } MB (at most { $max } MB). Split it into smaller files.
error-import-part-too-big = The Excel file unpacks to more than { $max } MB ({ $part }). It is damaged or not a real catalog; save it again from Excel, or as CSV.
error-import-too-many-rows = The file has more than { $max } rows. Split it into smaller files.
error-import-too-many-columns = Row { $line } has more than { $max } columns. Delete the empty columns at the right of the sheet and save again.
error-import-cell-too-long = The cell in row { $line }, column { $column } holds more than { $max } characters. Shorten it; no product field takes that much text.
error-import-old-xls = This is an old Excel .xls file or a password-protected workbook. Remove the password and save it as .xlsx or CSV.
error-import-row-short = This row has { $found } cells but the header has { $expected }: the line is broken or the file was cut off here. Check the end of the file.
error-import-row-long = This row has { $found } cells but the header has { $expected }: a cell holds an unquoted separator, or a column has no header.
error-import-cost-missing = No cost for this new product: map the cost column, or enter 0 if it really costs nothing.
error-import-currency-conflict = The cost column is in { $header } but this row’s currency is { $currency }.
error-import-file-gone = The file is no longer open. Choose it again.
error-import-running = This file is being imported already. Wait until that import has finished.
error-import-mapping-width = The column choice has { $count } entries but the file has { $columns } columns. Choose the file again.
error-description-too-long = The description is too long: at most { $max } characters.
error-brand-too-long = The brand is too long: at most { $max } characters.
error-category-too-long = The category is too long: at most { $max } characters.
error-attribute-value = The value of “{ $name }” is too long: at most { $max } characters.
error-weight-invalid = “{ $value }” is not a weight in { $unit } (a number of 0 or more, up to 10 t).
error-bullets-too-many = At most { $max } bullet points ({ $count } given).
error-bullet-too-long = Bullet point { $number } is longer than { $max } characters.
error-keywords-too-long = Search keywords may be at most { $max } characters.
error-hs-code-format = “{ $value }” is not an HS code: use 6 to 10 digits, e.g. 8518.30.
error-country-code = “{ $value }” is not a country code: use two letters, e.g. CN.
error-dimension-invalid = { $field } must be a whole number of 0 or more, not “{ $value }”.
error-cert-kind = “{ $value }” is not a certificate type Mercator knows (CE, UKCA, FCC, FDA, CPC, PSE …).
error-cert-date = The expiry date of { $cert } must be written YYYY-MM-DD, not “{ $value }”.
error-attribute-name = “{ $value }” is not a usable attribute name (1–40 characters).
error-listing-status = “{ $value }” is not a listing status.
error-qty-policy = The quantity must be a whole number of 0 or more, not “{ $value }”.
error-override-field = “{ $field }” cannot be set per market.
error-image-unreadable = “{ $name }” is not a PNG, JPEG, WebP or GIF image, or it is damaged.
error-image-too-large = “{ $name }” is too large (limit { $max }).
error-image-limit = A product can have at most { $max } images. Remove one first.
error-no-conflict = This listing has no channel changes to settle any more.
error-bulk-empty = Select at least one product first.
error-bulk-nothing-to-do = Nothing to change: no selected product matched.
error-cancelled = Cancelled. Nothing was changed.
error-xlsx-unreadable = This Excel file cannot be read ({ $detail }). Save it again as .xlsx or CSV.
error-export-failed = The export could not be written: { $detail }

## Pricing
error-pricing-input-invalid = { $detail ->
    [negative] “{ $field }” cannot be negative.
    [too-large] “{ $field }” is too large to be right.
    [currency] “{ $field }” must be in the market's currency.
    [below-floor] “{ $field }” is below the floor price.
   *[other] “{ $field }” is out of range.
}
error-price-no-fx-rate = Cannot price: there is no exchange rate from { $from } to { $to }. Enter one under Pricing → Exchange rates, or import the ECB rates.
error-price-no-size-tier = Cannot price: { $weight } g and { $dimensions } mm fit no size tier of the fulfilment fee table. Add a larger tier.
error-price-no-market = Cannot price: { $channel } has no pricing settings yet.
error-price-target-unreachable = Cannot price: on { $channel } the fees take { $fees } % of the price, so a { $margin } % margin cannot be reached. Lower the target margin or the fees.
error-price-ceiling-below-target = Cannot price: the ceiling { $ceiling } is below the { $needed } the target needs. Raise the ceiling or lower the target.
error-price-out-of-range = Cannot price: the computed price is out of range. Check the costs and fees.
error-price-warn-fx-stale = The { $currency } rate is from { $date } ({ $days } days old). Update the exchange rates.
error-price-warn-promo-below-floor = The promotion takes the price to { $price }, below the floor of { $floor }.
error-price-warn-promo-loss = With the promotion each sale loses money (profit { $profit }).
error-price-warn-promo-margin = With the promotion the margin is { $margin } %, below your limit of { $limit } %.
error-ecb-malformed = This is not a readable ECB reference-rate file ({ $detail }). Nothing was imported; the rates you had are kept.
error-ecb-fetch-failed = Could not fetch the ECB rates from { $url } ({ $detail }). Check the connection, or import the file by hand; the rates you had are kept.

## Channels
error-channel-auth = The channel refused the credentials ({ $detail }). Check them in Settings → Channels, or connect the account again.
error-channel-rate-limited = The channel is limiting requests ({ $detail }); Mercator will continue on its own when the limit allows.
error-channel-offline = No connection to the channel ({ $detail }): this computer looks offline. Your changes are kept here and sent when the connection is back.
error-channel-unavailable = The channel could not be reached ({ $detail }). Mercator retries automatically; nothing was lost.
error-channel-bad-response = The channel sent an answer Mercator could not read ({ $detail }); that page was skipped and will be fetched again.
error-channel-rejected = The channel rejected the request: { $detail }
error-channel-config = The account settings are incomplete: { $detail }
error-channel-no-answer = The channel did not answer within { $seconds } s. Mercator tries again later on its own; the other accounts are not held up.
error-channel-missing = { $what ->
    [seller-id] The account has no seller id (merchant token): add it in Settings → Channel accounts; listings cannot be sent without it.
    [account-ids] The account lacks its ids (endpoint, marketplace and app client id; or partner and shop id). Connect it again.
    [listing-title] The listing { $subject } has no title in the channel's language: add one before it is sent.
    [shopee-item-id] The listing { $subject } needs its Shopee item id (item:model) in the editor's market tab.
    [message-kind] Amazon does not offer the message “{ $subject }” for this order, or it needs a document Mercator cannot attach yet.
    [chat-permission] Shopee has not enabled chat for this app: buyers' chat messages cannot be read or answered here. Ask Shopee to grant the app the seller chat module, or answer in Seller Centre.
    [translation-key] No translation key is set: add a DeepL key under Settings › Translation. The inbox works untranslated meanwhile.
    [translation-quota] The DeepL key has used up this month's characters: translations resume next month or with a larger plan.
    [translation-language] DeepL does not translate into or from { $subject }: read and answer it as it is.
   *[other] The order id “{ $subject }” is not one this channel uses.
}
error-channel-not-sent-yet = Mercator does not send this change ({ $field }) to the channel yet: make it in the channel's seller centre.
error-channel-has-orders = This account has { $count } orders and cannot be removed; pause it instead.
error-link-listings-too-many = The channel kept offering more listings after { $pages } pages; nothing was linked. Try again later, or list the products from Mercator.
error-page-bounds = Asked for a page outside the list (at most { $max } rows at a time).
error-db-not-damaged = Only a damaged database can be moved aside.
error-sync-running = This account is syncing already; its orders come in with the run under way.
error-channel-insecure-url = The address in “{ $field }” must start with https:// (plain http only to this computer itself, for tests).
error-tracking-empty = Enter a tracking number.
error-tracking-format = “{ $number }” is not a { $carrier } tracking number. Check the carrier and the number on the label.
error-tracking-check-digit = The tracking number { $number } has a wrong check digit: it is probably mistyped. Scan or copy it from the label.
error-carrier-unknown = Choose a carrier from the list.
error-ship-line-malformed = Line { $line } needs an order number and a tracking number (“{ $text }”).
error-ship-nothing = There is nothing to mark shipped: add at least one order with its tracking number.
error-ship-date-invalid = The ship date must be a date in the last 30 days, not in the future.
error-order-unknown = No order { $order } in the shop. Check the order number.
error-order-ambiguous = Order { $order } exists on more than one channel; mark it shipped from its order page.
error-order-not-shippable = Order { $order } is { $status } and cannot be shipped.
error-order-already-shipped = Order { $order } is already shipped (tracking { $tracking }).
error-order-listed-twice = Order { $order } is listed twice; give each order one tracking number.
error-template-unknown-variable = The template uses “{ $name }”, which is not a variable. Use one of: { $known }.
error-template-missing-value = This reply needs { $name }, which this conversation does not have. Fill it in or remove it from the text.
error-template-unclosed = A “{"{"}” in the template is not closed (at character { $at }). Close it with “{"}"}” or write “{"{{"}” for a brace.
error-reply-empty = Write a reply first: it is empty.
error-reply-too-long = The reply is too long: at most { $max } characters. Shorten it or send it in two parts.
error-mail-insecure = The mail server { $host } would be reached without encryption, and the password would travel in the clear. Choose TLS or STARTTLS (no encryption only for a server on this computer).
error-mailbox-missing = This conversation has no mailbox to answer from. Add the account's mailbox under Inbox > Mailboxes, then retry.
error-mail-password-missing = The password of { $address } is not in this computer's keyring. Enter it again under Inbox > Mailboxes.
error-mail-auth = The mail server refused the login of { $address }. Check the user name and password (Gmail and Outlook need an app password).
error-mail-connect = The mail server { $host }:{ $port } cannot be reached: { $detail }. Check the address and port, or the internet connection; Mercator keeps trying.
error-mail-rejected = The mail server refused the message: { $reason }
error-mail-protocol = The mail server { $host } answered something Mercator could not understand: { $detail }
error-mail-no-recipient = There is no address to answer this conversation to.
error-mail-folder-missing = The folder “{ $folder }” does not exist on the mail server. Check the folder names of the mailbox.
error-amazon-message-no-order = This conversation is not linked to an Amazon order: Amazon's messages are always about one order.
error-amazon-message-maybe-sent = The connection broke while Amazon was receiving this message, so it may have arrived. Look in Seller Central under Messages › Sent messages, and send it again only if it is not there.
error-reply-lint = Marketplaces penalise replies that contain this: “{ $text }”. Remove it, or send anyway if you are sure.
error-attachment-unavailable = This attachment is not kept (the mail was too large to read, or its buyer data was deleted).
error-attachment-save-failed = Could not write the attachment to { $path } ({ $detail }). Check that the profile folder can be written.
error-link-unavailable = This link is no longer in the message.
error-warranty-dates = Give the warranty's first and last day covered (the first not after the last, at most 10 years).
error-amazon-document-not-pdf = { $name } is not a PDF. Amazon takes invoices and legal disclosures as PDF files.
error-amazon-document-too-large = { $name } is larger than { $max } MB. Send a smaller PDF.
