# 每个错误代码一条消息；界面显示 error-<code> 及其参数。
error-data-dir-missing = 数据文件夹 { $path } 不存在，其上级文件夹也不存在。请检查 --data-dir 或 MERCATOR_DATA_DIR 指定的路径。
error-data-dir-not-dir = { $path } 是一个文件，不是文件夹。请为 --data-dir 指定一个文件夹。
error-data-dir-read-only = Mercator 无法写入数据文件夹 { $path }。请选择一个可写的文件夹，或修改其权限。
error-db-locked = 店铺数据库 { $path } 正被另一个 Mercator 窗口或程序使用。请关闭后重试。
error-db-corrupt = 店铺数据库 { $path } 已损坏，或不是 Mercator 数据库（{ $detail }）。
error-db-not-sqlite = 文件 { $path } 不是 Mercator 店铺数据库（不是 SQLite 文件），可能已被替换或损坏。
error-db-foreign = 文件 { $path } 保存的是其他程序的数据，不是 Mercator 店铺。
error-db-newer-version = 店铺数据库 { $path } 由更新版本的 Mercator 写入（架构版本 { $found }，本版本只认识 { $known }）。请升级 Mercator 后再打开；文件未被修改。
error-db-migration-failed = 升级店铺数据库 { $path } 失败（{ $detail }）。数据未被修改；备份位于 { $backup }。
error-db-io = 无法读取或写入店铺数据库（{ $detail }）。
error-db-backup-failed = 升级前无法备份 { $path }（{ $detail }）。数据未被修改。
error-store-not-open = 店铺数据库尚未打开。
error-vault-unavailable = 系统凭据存储不可用（{ $detail }）。在 Linux 上请启动并解锁 GNOME 密钥环等密钥服务；Mercator 绝不会把令牌存放在其他地方。
error-vault-no-entry = 没有为 { $account } 保存的凭据。
error-vault-bad-secret = 为 { $account } 保存的凭据无法读取，请重新输入。
error-vault-token-not-saved = Shopee 为此账户颁发了新的访问令牌，但系统钥匙串未能保存。Mercator 运行期间会继续使用该令牌，并在下次同步时再次保存；如果应用在此之前关闭，请重新连接该账户。请检查钥匙串是否已解锁。
error-invalid-argument = { $field } 的值无效：{ $detail }
error-unknown-flag = 未知选项 { $flag }。用法：mercator [--data-dir 路径] [--demo | --no-demo]
error-data-dir-required = 请为 --data-dir 指定一个文件夹路径，例如 --data-dir ~/Mercator/shop2。
error-invalid-env-flag = { $name } 只能是 1 或 0（或 true/false），而不是“{ $value }”。
error-unknown-language = 不支持的语言 { $lang }。请选择简体中文或 English。
error-unknown-theme = 未知主题 { $theme }。
error-open-folder-failed = 无法打开文件夹 { $path }（{ $detail }）。
error-not-found = 未找到 { $what }。
error-internal = Mercator 内部出错（{ $detail }）。详情见日志文件夹。
error-sku-empty = 请输入 SKU。
error-sku-too-long = SKU 最多 { $max } 个字符。
error-sku-bad-char = SKU“{ $sku }”包含空格或控制字符（{ $char }）；只能使用字母、数字和 - _ . /。
error-sku-taken = SKU“{ $sku }”已被另一个变体使用。SKU 必须唯一。
error-gtin-format = “{ $gtin }”不是 GTIN：请输入 8、12、13 或 14 位数字（EAN-8、UPC、EAN/JAN、GTIN-14），或留空。
error-gtin-check-digit = GTIN { $gtin } 的校验位错误：最后一位应为 { $expected }。请检查是否输错。
error-title-empty = 请输入标题。
error-title-too-long = 文字过长：最多 { $max } 个字符。
error-language-tag = “{ $tag }”不是语言代码（例如 de-DE、ja-JP、zh-CN）。
error-money-invalid = “{ $value }”不是有效的 { $currency } 金额（最多 { $decimals } 位小数，且不能为负）。
error-revision-conflict = { $what } 已在此期间被修改（在另一个窗口或由同步修改）。您的更改未保存；现在显示的是最新版本。
error-undo-conflict = 无法撤销此更改：{ $field } 之后又被修改过。请先撤销后来的更改。
error-stock-invalid = 库存必须是大于或等于 0 的整数，而不是“{ $value }”。
error-import-empty = 文件是空的。
error-import-not-text = 这不是 CSV/文本文件（或编码不是 UTF-8 或 GBK）。请在 Excel 中另存为“CSV UTF-8”后重试。
error-import-malformed = 文件在第 { $line } 行附近损坏：引号字段没有闭合，或文件被截断。未导入任何内容。
error-import-no-sku-column = 找不到 SKU 列。请把一列命名为“SKU”或“货号”。
error-import-no-title-column = 找不到标题列。请把一列命名为“Title (en-US)”、“标题”或“title:zh-CN”。
error-import-duplicate-sku = SKU“{ $sku }”在文件中出现了多次。
error-import-has-errors = 有 { $count } 行存在问题，因此未导入任何内容。请先修正，或选择只导入有效的行。
error-import-unreadable = 无法从磁盘读取该文件。请确认文件仍然存在，且 Mercator 有权读取。
error-import-too-big = 文件过大：{ $size } MB（最多 { $max } MB）。请拆分成较小的文件。
error-import-part-too-big = 该 Excel 文件解压后超过 { $max } MB（{ $part }）。文件已损坏或并非真实的商品表；请用 Excel 重新保存，或另存为 CSV。
error-import-too-many-rows = 文件超过 { $max } 行。请拆分成较小的文件。
error-import-too-many-columns = 第 { $line } 行超过 { $max } 列。请删除表格右侧的空列后重新保存。
error-import-cell-too-long = 第 { $line } 行 { $column } 列的单元格超过 { $max } 个字符。请缩短内容；没有任何商品字段需要这么多文字。
error-import-old-xls = 这是旧版 Excel .xls 文件或受密码保护的工作簿。请去掉密码并另存为 .xlsx 或 CSV。
error-import-row-short = 此行有 { $found } 个单元格，而表头有 { $expected } 个：这一行断开了，或文件在此处被截断。请检查文件末尾。
error-import-row-long = 此行有 { $found } 个单元格，而表头有 { $expected } 个：某个单元格含有未加引号的分隔符，或某列没有表头。
error-import-cost-missing = 这个新商品没有成本：请映射成本列；如果确实没有成本，请填写 0。
error-import-currency-conflict = 成本列的币种是 { $header }，但此行的币种是 { $currency }。
error-import-file-gone = 该文件已不再打开。请重新选择文件。
error-import-running = 该文件正在导入中。请等待本次导入完成。
error-import-mapping-width = 列映射有 { $count } 项，但文件有 { $columns } 列。请重新选择文件。
error-description-too-long = 描述过长：最多 { $max } 个字符。
error-brand-too-long = 品牌过长：最多 { $max } 个字符。
error-category-too-long = 类目过长：最多 { $max } 个字符。
error-attribute-value = “{ $name }”的值过长：最多 { $max } 个字符。
error-weight-invalid = “{ $value }”不是以 { $unit } 为单位的有效重量（大于等于 0 的数字，最多 10 吨）。
error-bullets-too-many = 五点描述最多 { $max } 条（当前 { $count } 条）。
error-bullet-too-long = 第 { $number } 条描述超过 { $max } 个字符。
error-keywords-too-long = 搜索关键词最多 { $max } 个字符。
error-hs-code-format = “{ $value }” 不是有效的海关编码：请填写 6 到 10 位数字，例如 8518.30。
error-country-code = “{ $value }” 不是国家代码：请填写两个字母，例如 CN。
error-dimension-invalid = { $field } 必须是大于等于 0 的整数，而不是“{ $value }”。
error-cert-kind = “{ $value }” 不是可识别的认证类型（CE、UKCA、FCC、FDA、CPC、PSE……）。
error-cert-date = { $cert } 的到期日期请按 YYYY-MM-DD 填写，而不是“{ $value }”。
error-attribute-name = “{ $value }” 不能作为属性名（1–40 个字符）。
error-listing-status = “{ $value }” 不是有效的刊登状态。
error-qty-policy = 数量必须是大于等于 0 的整数，而不是“{ $value }”。
error-override-field = “{ $field }” 不能按市场单独设置。
error-image-unreadable = “{ $name }” 不是 PNG、JPEG、WebP 或 GIF 图片，或文件已损坏。
error-image-too-large = “{ $name }” 太大（上限 { $max }）。
error-image-limit = 每个商品最多 { $max } 张图片，请先删除一张。
error-no-conflict = 该刊登已没有需要处理的渠道改动。
error-bulk-empty = 请先选择至少一个商品。
error-bulk-nothing-to-do = 没有需要修改的内容：所选商品均不匹配。
error-cancelled = 已取消，未做任何修改。
error-xlsx-unreadable = 无法读取此 Excel 文件（{ $detail }）。请另存为 .xlsx 或 CSV 后重试。
error-export-failed = 导出文件无法写入：{ $detail }

## 定价
error-pricing-input-invalid = { $detail ->
    [negative] “{ $field }”不能为负数。
    [too-large] “{ $field }”数值过大，请检查。
    [currency] “{ $field }”必须使用该市场的币种。
    [below-floor] “{ $field }”低于最低价。
   *[other] “{ $field }”超出允许范围。
}
error-price-no-fx-rate = 无法定价：没有从 { $from } 到 { $to } 的汇率。请在“定价 → 汇率”中录入，或导入欧洲央行汇率。
error-price-no-size-tier = 无法定价：{ $weight } 克、{ $dimensions } 毫米不属于配送费表中的任何尺寸分段。请添加更大的分段。
error-price-no-market = 无法定价：{ $channel } 还没有定价设置。
error-price-target-unreachable = 无法定价：在 { $channel } 上费用占售价的 { $fees }%，无法达到 { $margin }% 的利润率。请降低目标利润率或费用。
error-price-ceiling-below-target = 无法定价：最高价 { $ceiling } 低于达到目标所需的 { $needed }。请提高最高价或降低目标。
error-price-out-of-range = 无法定价：计算出的价格超出范围。请检查成本和费用。
error-price-warn-fx-stale = { $currency } 汇率日期为 { $date }（已过 { $days } 天）。请更新汇率。
error-price-warn-promo-below-floor = 促销后价格为 { $price }，低于最低价 { $floor }。
error-price-warn-promo-loss = 促销后每单亏损（利润 { $profit }）。
error-price-warn-promo-margin = 促销后利润率为 { $margin }%，低于您设定的下限 { $limit }%。
error-ecb-malformed = 这不是可读取的欧洲央行汇率文件（{ $detail }）。未导入任何内容，原有汇率保持不变。
error-ecb-fetch-failed = 无法从 { $url } 获取欧洲央行汇率（{ $detail }）。请检查网络，或手动导入文件；原有汇率保持不变。

## 渠道
error-channel-auth = 渠道拒绝了凭据（{ $detail }）。请在“设置 → 渠道”中检查，或重新连接该账户。
error-channel-rate-limited = 渠道正在限制请求频率（{ $detail }）；额度恢复后 Mercator 会自动继续。
error-channel-offline = 无法连接到渠道（{ $detail }）：这台电脑似乎已离线。你的修改已保存在本机，恢复连接后会自动发送。
error-channel-unavailable = 无法连接渠道（{ $detail }）。Mercator 会自动重试，数据不会丢失。
error-channel-bad-response = 渠道返回了无法读取的内容（{ $detail }）；该页已跳过，稍后会重新获取。
error-channel-rejected = 渠道拒绝了请求：{ $detail }
error-channel-config = 账户设置不完整：{ $detail }
error-channel-no-answer = 渠道在 { $seconds } 秒内没有响应。Mercator 稍后会自动重试；其他账户不受影响。
error-channel-missing = { $what ->
    [seller-id] 该账户没有卖家编号（Merchant Token）：请在“设置 → 渠道账户”中添加；没有它无法发送商品信息。
    [account-ids] 该账户缺少标识（接口地址、站点和应用客户端 ID；或合作伙伴 ID 和店铺 ID）。请重新连接。
    [listing-title] 商品 { $subject } 没有该渠道语言的标题：发送前请先添加。
    [shopee-item-id] 商品 { $subject } 需要填写 Shopee 商品 ID（item:model），请在编辑器的市场页签中填写。
    [message-kind] 亚马逊不为此订单提供“{ $subject }”这种消息，或该消息需要 Mercator 暂不能附加的文件。
    [chat-permission] Shopee 尚未为此应用开通聊天功能：无法在这里读取或回复买家的聊天消息。请向 Shopee 申请为应用开通卖家聊天模块，或在卖家中心回复。
    [translation-key] 尚未设置翻译密钥：请在“设置 › 翻译”中添加 DeepL 密钥。在此之前收件箱照常工作，只是不翻译。
    [translation-quota] 该 DeepL 密钥本月字符额度已用完：下月或升级套餐后恢复翻译。
    [translation-language] DeepL 不支持 { $subject } 的翻译：请直接阅读和回复原文。
   *[other] 订单号“{ $subject }”不是该渠道使用的格式。
}
error-channel-not-sent-yet = Mercator 目前还不会把此项修改（{ $field }）发送到渠道：请在渠道的卖家后台修改。
error-channel-has-orders = 该账户有 { $count } 个订单，无法删除；可以改为暂停。
error-link-listings-too-many = 渠道在 { $pages } 页之后仍在返回更多商品，未关联任何商品。请稍后重试，或从 Mercator 上架商品。
error-page-bounds = 请求的页面超出列表范围（每次最多 { $max } 行）。
error-db-not-damaged = 只有损坏的数据库才能移开。
error-sync-running = 该账户正在同步；订单会随正在进行的同步一起到达。
error-channel-insecure-url = “{ $field }”中的地址必须以 https:// 开头（仅在测试时可用 http 连接本机）。
error-tracking-empty = 请输入运单号。
error-tracking-format = “{ $number }”不是 { $carrier } 的运单号。请核对承运商和面单上的单号。
error-tracking-check-digit = 运单号 { $number } 的校验位不对，可能输错了。请扫描或从面单复制。
error-carrier-unknown = 请从列表中选择承运商。
error-ship-line-malformed = 第 { $line } 行需要订单号和运单号（“{ $text }”）。
error-ship-nothing = 没有可发货的订单：请至少填写一个订单及其运单号。
error-ship-date-invalid = 发货日期必须是最近 30 天内的日期，不能是将来。
error-order-unknown = 店铺里没有订单 { $order }。请核对订单号。
error-order-ambiguous = 订单 { $order } 在多个渠道都存在，请在该订单的详情页标记发货。
error-order-not-shippable = 订单 { $order } 状态为 { $status }，不能发货。
error-order-already-shipped = 订单 { $order } 已发货（运单号 { $tracking }）。
error-order-listed-twice = 订单 { $order } 出现了两次；每个订单填一个运单号。
error-template-unknown-variable = 模板中的“{ $name }”不是可用变量。可用变量：{ $known }。
error-template-missing-value = 此回复需要 { $name }，但该会话没有这项信息。请手动填写，或从文本中删除。
error-template-unclosed = 模板中的“{"{"}”没有闭合（第 { $at } 个字符）。请用“{"}"}”闭合，或写“{"{{"}”表示花括号本身。
error-reply-empty = 请先写回复：回复内容为空。
error-reply-too-long = 回复过长：最多 { $max } 个字符。请删减或分两条发送。
error-mail-insecure = 连接邮件服务器 { $host } 时不加密，密码会以明文传输。请选择 TLS 或 STARTTLS（只有本机上的服务器才可不加密）。
error-mailbox-missing = 此会话没有可用来回复的邮箱。请在“收件箱 > 邮箱”中添加该账号的邮箱，然后重试。
error-mail-password-missing = 本机钥匙串中没有 { $address } 的密码。请在“收件箱 > 邮箱”中重新输入。
error-mail-auth = 邮件服务器拒绝了 { $address } 的登录。请检查用户名和密码（Gmail 和 Outlook 需要应用专用密码）。
error-mail-connect = 无法连接邮件服务器 { $host }:{ $port }：{ $detail }。请检查地址和端口或网络连接；Mercator 会继续重试。
error-mail-rejected = 邮件服务器拒收了这封邮件：{ $reason }
error-mail-protocol = 邮件服务器 { $host } 的应答无法识别：{ $detail }
error-mail-no-recipient = 此会话没有可回复的地址。
error-mail-folder-missing = 邮件服务器上没有文件夹“{ $folder }”。请检查邮箱的文件夹名称。
error-amazon-message-no-order = 此会话未关联亚马逊订单：亚马逊消息必须针对某一订单发送。
error-amazon-message-maybe-sent = 亚马逊接收此消息时连接中断，消息可能已送达。请在卖家平台“消息 › 已发送消息”中查看，只有找不到时才重新发送。
error-reply-lint = 平台会处罚包含此内容的回复：“{ $text }”。请删除，或确认无误后仍然发送。
error-attachment-unavailable = 此附件未保存（邮件过大无法读取，或买家数据已删除）。
error-attachment-save-failed = 无法将附件写入 { $path }（{ $detail }）。请检查配置文件夹是否可写。
error-link-unavailable = 此链接已不在消息中。
error-warranty-dates = 请填写保修的起止日期（开始日期不晚于结束日期，最长 10 年）。
error-amazon-document-not-pdf = { $name } 不是 PDF 文件。亚马逊只接受 PDF 格式的发票和法律声明。
error-amazon-document-too-large = { $name } 超过 { $max } MB，请发送更小的 PDF。
