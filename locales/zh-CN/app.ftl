app-name = Mercator
app-tagline = 跨境卖家驾驶舱

shop-unnamed = 我的店铺

## Navigation
nav-catalog = 商品目录
nav-pricing = 定价
nav-orders = 订单
nav-inbox = 消息
nav-warehouse = 仓库
nav-settings = 设置

## Header and sync status
sync-idle = 所有更改已保存在本机
sync-pending = { $count } 项更改待发送
sync-failed = { $count } 项更改发送失败
sync-tooltip = 编辑会先保存在本机，联网后再发送到各销售渠道。
offline = 离线
offline-since = 自 { $time } 起
offline-waiting = { $count ->
    [0] 没有待发送的更改
   *[other] { $count } 项更改已保存在本机，恢复联网后发送
}
offline-tooltip = 这台电脑目前无法连接到销售渠道。可以继续工作：所有内容都保存在本机，恢复连接后会立即拉取订单并发送更改。
offline-retry = 立即重试

## Common
loading = 加载中…
list-empty = 暂无内容。

## Catalog
catalog-title = 商品目录
catalog-summary = { $products } 个商品 · { $variants } 个变体
catalog-search-placeholder = 搜索 SKU、GTIN 或任意语言的标题
catalog-matches = 找到 { $count } 个商品
catalog-matches-at-least = 找到 { $count }+ 个商品，正在计数…
col-title = 标题
col-brand = 品牌
col-category = 类目
col-variants = 变体
col-skus = SKU
col-languages = 语言
col-currency = 币种
col-stock = 库存
col-cost = 采购成本

## Categories
category-kitchen = 厨房用品
category-electronics = 电子产品
category-home = 家居
category-sports = 运动户外
category-beauty = 美妆个护
category-pets = 宠物用品
category-office = 办公文具
category-toys = 玩具

## Pricing
pricing-title = 定价
pricing-summary = 各渠道共 { $count } 条刊登
col-sku = SKU
col-channel = 渠道
col-market = 站点
col-price = 标价
col-status = 状态

## Orders
orders-title = 订单
orders-unreadable = 有 { $count } 个渠道订单无法读取：已暂存（其余订单已保存），每次同步都会重新读取。
orders-unreadable-show = 显示
orders-unreadable-hide = 隐藏
orders-unreadable-seen = 自 { $since } 起已尝试 { $count } 次
orders-summary = 共 { $count } 个订单
col-order = 订单号
col-buyer = 买家
col-ship-to = 收货国家
col-total = 金额
col-date = 下单时间
col-items = 件数

## Inbox
inbox-title = 消息
inbox-summary = { $count } 个会话 · { $open } 个待回复
col-subject = 主题
col-last-message = 最新消息
col-reply-by = 回复期限
inbox-reply-by = 回复期限：{ $time }
inbox-overdue = 已超时
inbox-awaiting = 待回复
inbox-answered = 已回复

## Warehouse
warehouse-title = 仓库工作台
warehouse-summary = 拣货单：{ $orders } 个待发货订单，共 { $lines } 行
col-quantity = 数量
col-orders = 订单

## Settings
settings-title = 设置
settings-language = 界面语言
settings-language-help = 立即生效，并会被记住。
settings-theme = 主题
theme-light = 浅色
theme-dark = 深色
theme-system = 跟随系统
settings-data-folder = 数据文件夹
settings-database = 数据库文件
settings-log-folder = 日志文件夹
settings-open-log-folder = 打开日志文件夹
settings-version = 版本
settings-vault = 凭据存储
settings-vault-ok = 可用：{ $backend }。渠道令牌只保存在这里。
settings-vault-checking = 检查中…
settings-shop = 店铺

## Channel kinds
channel-kind-amazon = 亚马逊
channel-kind-shopify = Shopify
channel-kind-woocommerce = WooCommerce
channel-kind-shopee = Shopee 虾皮
channel-kind-tiktok = TikTok Shop
channel-kind-ebay = eBay

## Order status
order-status-pending = 待处理
order-status-unshipped = 待发货
order-status-shipped = 已发货
order-status-delivered = 已送达
order-status-cancelled = 已取消
order-status-refunded = 已退款

## Listing status
listing-status-draft = 草稿
listing-status-ready = 待发布
listing-status-live = 在售
listing-status-inactive = 已下架
listing-status-error = 错误

## Product editor
editor-back = 返回商品目录
editor-saving = 保存中…
editor-saved = 已保存在本机
editor-add-language = 添加语言
editor-title = 标题
editor-chars = { $count } / { $max } 个字符
editor-description = 描述
editor-variants = 变体
editor-history = 修改记录
editor-undo = 撤销
editor-undone = 已撤销
col-attributes = 属性
col-gtin = GTIN / EAN
new-product-title = 新建商品
new-product-create = 创建商品
new-product-cancel = 取消
history-field-title = 标题
history-field-description = 描述
history-field-brand = 品牌
history-field-sku = SKU
history-field-gtin = GTIN
history-field-cost-minor = 采购成本
history-field-stock = 库存
history-field-created = 创建

## Import
import-button = 导入 CSV / Excel
import-title = 从表格导入商品
import-choose = 选择 CSV、TSV 或 Excel（.xlsx）文件（UTF-8 或 GBK 编码；逗号、分号或制表符分隔）。“parent”相同的行会成为同一商品的变体。货号已在目录中的行会更新该商品（只改已填写的单元格）。
import-choose-button = 选择文件…
import-choose-title = 选择要导入的表格
import-unmapped = { $count } 列含有数据但不会被导入：请在下方为每一列选择含义，或保持忽略。
import-no-cost = 没有映射成本列：新商品没有成本就无法导入。请在下方选择成本列。
import-group-product = 商品
import-group-cost = 成本
import-group-measures = 重量
import-group-attributes = 变体属性
import-field-sku = SKU
import-field-parent = 父体 SKU
import-field-gtin = GTIN / EAN / UPC
import-field-brand = 品牌
import-field-category = 类目
import-field-stock = 库存
import-field-hs-code = 海关编码
import-field-origin = 原产国
import-field-cost = 成本（按该行币种）
import-field-currency = 币种
import-field-cost-in = 成本（{ $currency }）
import-field-weight = 重量（{ $unit }）
import-field-attributes = 属性（名称=值; …）
import-field-attribute = 属性“{ $name }”
import-field-title = 标题：{ $lang }
import-field-description = 描述：{ $lang }
import-field-bullets = 要点（每行一条）：{ $lang }
import-field-keywords = 搜索关键词：{ $lang }
import-field-bullet = 要点 { $n }：{ $lang }
import-file-info = { $encoding } · 分隔符“{ $delimiter }” · 共 { $total } 行
import-columns = 列
import-column-ignored = 忽略
import-valid = { $total } 行中有 { $valid } 行有效
import-problems = 问题
import-line = 第 { $line } 行
import-sample = 前几行有效数据
import-valid-only = 导入 { $count } 行有效数据
import-all-or-nothing = 全部导入，否则不导入
import-cancel = 取消
import-done = 新增 { $imported } 个变体；跳过 { $skipped } 行。
import-done-updates = 新增 { $imported } 个变体，更新 { $updated } 个商品（{ $unchanged } 行与目录一致）；跳过 { $skipped } 行。
import-updates = { $count } 行的货号已在目录中，将更新这些商品：只修改已填写的单元格，空单元格保留目录中的内容。{ $new } 行为新增。
import-row-update = 更新
import-row-new = 新增
import-undo-updates = 撤销这些更新
import-updates-undone = 已撤销本次导入的更新。

## Start-up problems
startup-title = Mercator 无法打开您的店铺
startup-file = 文件：{ $path }
startup-move-aside = 将该文件移到一旁并重新开始
startup-move-aside-help = 文件只会被重命名，不会被删除；您可以把它发给客服或稍后恢复。
startup-retry = 重试
startup-quit = 退出
startup-moved = 旧文件已保留为 { $path }。

# Catalog: filters, bulk edit, export (issue 3)
filter-channel = 渠道
filter-market = 市场
filter-status = 刊登状态
filter-missing = 缺少翻译
filter-stock = 库存
filter-stock-in = 有货
filter-stock-low = 库存低（1–9）
filter-stock-out = 缺货
filter-issues = 仅显示规则问题
filter-all = 全部
sort-by = 排序
sort-created = 创建时间
sort-sku = SKU
sort-title = 标题
sort-stock = 库存
sort-cost = 成本
sort-updated = 最近修改
sort-issues = 规则问题
sort-direction = 反向排序
col-issues = 规则
export-csv = 导出 CSV
export-xlsx = 导出 Excel
export-done = 已导出 { $rows } 行到
export-reveal = 在文件夹中显示
bulk-selected = 已选 { $count } 个
bulk-select = 选择
bulk-select-all = 选择当前筛选的全部商品
bulk-action = 批量操作
bulk-replace = 标题查找替换
bulk-set-field = 设置字段
bulk-attr-set = 设置属性
bulk-attr-remove = 删除属性
bulk-status = 修改刊登状态
bulk-language = 语言
bulk-find = 查找
bulk-replace-with = 替换为
bulk-value = 值
bulk-attr-name = 属性（如 颜色）
bulk-apply = 应用到所选
bulk-clear = 清除选择
bulk-done = 已修改 { $products } 个商品中的 { $changed } 个字段。一次撤销即可全部还原。
bulk-undone = 批量修改已撤销。
progress-count = { $done } / { $total }
progress-cancel = 取消
editor-gtin-exempt = GTIN 豁免（品牌已备案、无条码）
editor-bullets = 五点描述
editor-bullet-n = 第 { $n } 点
editor-keywords = 搜索关键词
editor-images = 图片
editor-main-image = 主图
editor-add-image = 添加图片
editor-remove = 删除
editor-variant-details = 尺寸、报关、属性、认证
editor-expires = { $date } 到期
editor-no-expiry = 长期有效
editor-cert-reference = 文件 / 证书编号
editor-no-listings = 该商品尚未在任何渠道刊登。
editor-market-content = 该市场的买家看到的是{ $lang }文案，除非在下方单独设置。
editor-market-no-content = 尚无该市场语言（{ $lang }）的文案：请在左侧添加该语言。
editor-more-overrides = 该市场的五点描述、详细描述和关键词
editor-overridden = 已单独设置
editor-override-hint = 留空则使用商品文案。对已上架刊登的修改会同步到渠道。
editor-make-main = 设为主图
editor-move-left = 左移
editor-move-right = 右移
editor-image-variants = 该图片用于哪些变体
bulk-list-on = 上架到渠道账户
bulk-listed = 已为 { $products } 个商品添加 { $count } 个草稿刊登（已在该渠道刊登的变体保持不变）。
editor-unpriced = 尚未定价
editor-unpriced-hint = 在定价之前（定价 → 重新定价 → 应用），Mercator 不会发送此刊登的价格；设为在售后会发送库存和文案。
editor-list-on = 上架到其他渠道账户
editor-list-on-add = 添加
editor-list-on-hint = 以 SKU 将该商品的各变体添加为草稿；请在“定价”中定价，然后在此处设为在售。
editor-markets = 市场与刊登
editor-override-title = 该市场的标题（{ $lang }）
editor-override-placeholder = 与该语言的商品标题相同
rules-ok = 符合该市场要求
qty-stock = 全部可用库存
qty-buffer = 可用库存减去缓冲
qty-fixed = 固定数量
conflict-title = { $channel } 在上次同步后修改了此刊登。请逐个字段选择保留哪个版本。
conflict-base = 上次同步
conflict-ours = 我方
conflict-theirs = 渠道方
conflict-apply = 保留所选版本
history-field-bullets = 五点描述
history-field-keywords = 搜索关键词
history-field-category = 类目
history-field-gtin-exempt = GTIN 豁免
history-field-images = 图片
history-field-weight-g = 重量
history-field-length-mm = 长
history-field-width-mm = 宽
history-field-height-mm = 高
history-field-hs-code = 海关编码（HS）
history-field-origin = 原产国
history-field-certifications = 认证
history-field-attributes = 属性
history-field-status = 刊登状态
history-field-seller-sku = 卖家 SKU
history-field-external-id = 渠道商品编号（ASIN 等）
history-field-qty-policy = 同步数量
history-field-qty-value = 数量值
history-field-overrides = 市场专属内容
rule-title-missing = 缺少该市场语言的标题（{ $lang }）
rule-title-too-long = 标题 { $count } 个字符，该渠道最多 { $max } 个
rule-title-forbidden-chars = 标题含有该渠道禁止的字符：{ $chars }
rule-bullets-missing = 五点描述只有 { $count } 条，该渠道至少需要 { $min } 条
rule-keywords-too-long = 搜索关键词 { $bytes } 字节，上限 { $max }
rule-gtin-required = 需要 GTIN 条码（或 GTIN 豁免）
rule-cert-required = 在 { $market } 销售需要 { $cert } 认证
rule-cert-expired = { $cert } 认证已于 { $date } 过期
rule-images-missing = 至少需要 { $min } 张图片
rule-image-too-small = 有一张图片为 { $width }×{ $height } 像素；最长边至少 { $min } 像素

## 定价引擎
pricing-tab-matrix = 价格矩阵
pricing-tab-review = 审核调价
pricing-tab-rates = 汇率
pricing-tab-channels = 费用、税与规则
pricing-reprice = 全部重新定价
pricing-repricing = 正在为所有变体在所有渠道定价…
pricing-reprice-done = 已计算 { $priced } 个价格，{ $cannot } 个无法定价，{ $changes } 条刊登将调价（计算 { $compute } 毫秒，保存 { $persist } 毫秒）。
pricing-never-run = 尚未计算价格：请点击“全部重新定价”。
pricing-last-run = 上次计算：{ $count } 个价格 · { $changes } 条刊登将调价 · { $cannot } 个无法定价
pricing-filter-all = 全部变体
pricing-filter-problems = 无法定价
pricing-filter-low = 利润率低于 10%
pricing-sort-sku = 按 SKU 排序
pricing-sort-margin = 按 { $channel } 利润率
pricing-cannot = 无法定价
pricing-now = 现价 { $price }
pricing-definitions = 售价：买家看到的价格（在含税展示的市场中含税）。净收入：不含税的销售额。利润率 = 利润 ÷ 净收入。利润 = 净收入 − 渠道费用 − 到岸成本（按含缓冲的汇率折算的采购成本、按计费重计算的头程运费、包装、关税、配送费）。
pricing-why = 价格构成
pricing-close = 关闭
pricing-try-price = 试算价格
pricing-evaluate = 计算该价格的利润
pricing-summary-line = { $price } · 利润 { $profit } · 利润率 { $margin }
pricing-promo = 促销
pricing-promo-percent = 打折（%）
pricing-promo-amount = 立减金额
pricing-promo-shipping = 满额包邮
pricing-promo-run = 查看影响
pricing-promo-result = 促销后：{ $price }，利润 { $profit }，利润率 { $margin }（原价利润率 { $regularMargin }）
pricing-promo-ok = 在您设定的范围内。
pricing-review-empty = 没有需要调价的刊登。修改成本、费用或汇率后请重新定价。
pricing-review-count = { $count } 条刊登将调价
pricing-apply-all = 应用 { $count } 个新价格
pricing-apply-channel = 仅 { $channel }
pricing-applied = 已修改 { $count } 条刊登价格；已上架的刊登会同步到渠道。
pricing-undo-apply = 撤销
pricing-undone = 已撤销这些调价。
col-current = 现价
col-proposed = 新价
col-change = 变化
col-margin = 利润率
pricing-rates-intro = 汇率为每 1 欧元可兑换的单位（与欧洲央行的发布方式相同），其他币种通过欧元换算。成本按加上您的缓冲后更不利的汇率折算。
pricing-rate-currency = 币种
pricing-rate-per-eur = 每 1 欧元
pricing-rate-date = 日期
pricing-rate-source = 来源
pricing-rate-age = { $days ->
    [0] 今天
   *[other] { $days } 天前
}
pricing-rate-stale = 已过期
pricing-rate-add = 保存汇率
pricing-ecb-import = 导入欧洲央行汇率文件（eurofxref-daily.xml）
pricing-ecb-done = 已导入 { $days } 天的 { $rates } 个汇率（最新 { $date }）。
pricing-buffer = 汇率安全缓冲（%）
pricing-max-age = 汇率超过多少天提醒
pricing-save = 保存
pricing-saved = 已保存。
pricing-channel = 渠道
pricing-effective = 生效日期
pricing-versions = 版本：{ $list }
pricing-preset = 从预设开始
pricing-no-settings = 该渠道还没有定价设置：请从预设开始。
pricing-fees = 渠道费用
pricing-referral = 佣金（%）
pricing-referral-min = 每件最低佣金
pricing-referral-category = 类目
pricing-referral-default = 其他所有类目
pricing-payment = 支付手续费（%）
pricing-payment-fixed = 支付固定费用
pricing-per-order = 每单费用
pricing-closing = 成交费
pricing-on-gross = 按含税价收取佣金
pricing-on-shipping = 运费也收取佣金
pricing-tax = 税
pricing-tax-label = 名称
pricing-tax-rate = 税率（%）
pricing-tax-display = 价格展示
pricing-tax-inclusive = 含税
pricing-tax-exclusive = 不含税（结账时加收）
pricing-tax-collector = 代收方
pricing-collector-seller = 您（卖家）
pricing-collector-marketplace = 平台
pricing-collector-upto = 平台，金额不超过
pricing-logistics = 到岸成本
pricing-freight = 头程运费（每公斤）
pricing-divisor = 体积重系数
pricing-packaging = 包装
pricing-duty = 默认关税（%）
pricing-duty-cif = 按成本 + 运费计征关税（CIF）
pricing-duty-table = 按 HS 编码前缀的关税（%）
pricing-tiers = 按尺寸分段的配送费
pricing-tier = 分段
pricing-tier-max = 最大 克 · 毫米
pricing-last-mile = 尾程（无分段表时）
pricing-shipping-charged = 向买家收取的运费
pricing-rules = 规则
pricing-target = 目标
pricing-target-margin = 利润率（%）
pricing-target-profit = 每件利润
pricing-min-margin = 利润率低于此值时提醒（%）
pricing-ending = 价格尾数
pricing-rounding = 取整方向
pricing-direction-up = 向上
pricing-direction-down = 向下
pricing-direction-nearest = 就近
pricing-floor = 最低价
pricing-ceiling = 最高价
pricing-map = MAP（最低广告价）
pricing-add-row = + 添加
pricing-amount-currency = 币种
pricing-what-cost = 采购成本
pricing-what-freight = 每公斤运费
pricing-what-packaging = 包装
pricing-what-fulfilment = 配送费
pricing-what-last-mile = 尾程
pricing-basis-gross-shipping = 含税售价 + 运费
pricing-basis-gross = 含税售价
pricing-basis-net-shipping = 不含税售价 + 运费
pricing-basis-net = 不含税售价
price-step-cost = 采购成本 { $amount }
price-step-fx = 换算{ $what }：{ $amount } × { $rate }（{ $source } { $date }）+ { $buffer } 缓冲 = { $result }
price-step-freight = 运费：计费重 { $chargeable } 克（实重 { $actual } 克，体积重 { $volumetric } 克，系数 { $divisor }）× { $perKg }/公斤 = { $amount }
price-step-packaging = 包装 { $amount }
price-step-duty-cif = 关税 { $rate }，按成本 + 运费 { $base } 计征（HS { $hs }）= { $amount }
price-step-duty-fob = 关税 { $rate }，按成本 { $base } 计征（HS { $hs }）= { $amount }
price-step-fulfilment = 配送费，分段“{ $tier }”：{ $amount }
price-step-last-mile = 尾程 { $amount }
price-step-landed = 到岸成本 { $amount }
price-step-target-margin = 目标：净收入利润率 { $margin }
price-step-target-profit = 目标：每件利润 { $profit }
price-step-solve = 恰好达到目标的价格：{ $raw }
price-step-rounding = { $direction }取整到尾数 { $ending }：{ $from } → { $to }
price-step-rounding-raised = { $direction }取整到 { $ending } 会低于目标，因此取上一个尾数：{ $from } → { $to }
price-step-floor = 提高到最低价 { $limit }：{ $to }
price-step-map = 提高到最低广告价 { $limit }：{ $to }
price-step-ceiling = 限制在最高价 { $limit }：{ $to }
price-step-price = 售价 { $price }，向买家收取运费 { $shipping }
price-step-tax-included-marketplace = 价格已含 { $label } { $rate }（{ $amount }）；由 { $channel } 代收代缴，您无需缴纳。
price-step-tax-included-seller = 价格已含 { $label } { $rate }（{ $amount }）；由您申报缴纳。
price-step-tax-added-marketplace = 结账时加收 { $label } { $rate }（{ $amount }），由 { $channel } 代缴。
price-step-tax-added-seller = 结账时加收 { $label } { $rate }（{ $amount }）；由您申报缴纳。
price-step-net-revenue = 净收入（不含税）{ $amount }
price-step-referral = 佣金 { $rate } × { $base }（{ $basis }）= { $amount }
price-step-referral-min = 佣金：按最低 { $min } 收取（{ $base } 的 { $rate } 更低）
price-step-payment = 支付手续费 { $rate } = { $amount }
price-step-per-order = 每单费用 { $amount }
price-step-closing = 成交费 { $amount }
price-step-fees = 渠道费用合计 { $amount }
price-step-profit = 利润 { $amount }，利润率 { $margin }
pricing-ecb-fetch = 获取今日欧洲央行汇率

## 渠道账户
accounts-title = 渠道账户
accounts-intro = 连接您的平台账户：订单每 15 分钟自动拉取一次（也可点击“立即同步”），逐页进行；中断的同步会从中断处继续。
accounts-add = 连接账户
accounts-kind = 渠道
accounts-name = 名称
accounts-client-id = LWA 客户端 ID
accounts-seller-id = 卖家 ID（Merchant Token，用于价格、库存和文案）
accounts-client-secret = LWA 客户端密钥
accounts-refresh-token = 刷新令牌
accounts-advanced = 接口地址
accounts-endpoint = SP-API 接口地址
accounts-token-url = 令牌接口地址
accounts-store-url = 店铺地址（https://…）
accounts-consumer-key = Consumer key
accounts-consumer-secret = Consumer secret
accounts-shop-url = Shopify 店铺地址（https://your-shop.myshopify.com）
accounts-access-token = Admin API 访问令牌（shpat_…）
accounts-keyring-note = 密钥保存在系统凭据管理器中（钥匙串、凭据管理器、Secret Service），绝不会写入店铺文件。
accounts-connect = 连接
accounts-added = 已连接 { $name }。
accounts-demo = 演示渠道，未连接
accounts-running = 同步中：{ $fetched } 个订单，{ $pages } 页…
accounts-synced-at = 同步于 { $at }
accounts-unreadable = 有 { $count } 个订单无法读取，已暂存（见“订单”）。
accounts-log-unreadable = { $count } 个无法读取：{ $ids }
accounts-never = 尚未同步
accounts-paused = 已暂停
accounts-resumes = 将从中断处继续
accounts-rate = 速率限制 { $rate }
accounts-orders = { $count } 个订单
accounts-sync-now = 立即同步
accounts-test = 测试连接
accounts-test-ok = { $name }：连接正常。
accounts-pause = 暂停
accounts-resume = 恢复
accounts-log = 同步日志
accounts-log-page = 获取 { $fetched } 个，新增 { $created } 个，更新 { $updated } 个
accounts-synced = { $name }：获取 { $fetched } 个订单，新增 { $created } 个，更新 { $updated } 个。
accounts-backoff = 已连续失败 { $count } 次：下次尝试时间 { $at }（点击“立即同步”可马上重试）
settings-pii-policy = 买家姓名、地址和订单原始数据会在发货 { $days } 天后删除（从实际发货日算起，而不是 Mercator 看到的时间），取消或退款的订单在 { $days } 天后删除，超过半年的订单一律删除；订单号、金额和商品保留。升级前的备份同样处理：保留最新的 { $backups } 份，较旧的删除；被移开的损坏数据库在 { $days } 天后删除。
order-status-partially_shipped = 部分发货
orders-search = 订单号或买家
orders-from = 从
orders-to = 至
order-unit-price = 单价
order-not-in-catalog = 该 SKU 不在商品目录中
order-shipped-n = 已发 { $n }
order-subtotal = 商品
order-tax = 税
order-shipping = 运费
order-timeline = 时间线
order-placed = 下单于 { $at }（站点时区 UTC{ $offset }）
order-channel-updated = 渠道最后更新 { $at }
order-shipped-at = 确认已发货 { $at }
order-purged = 买家数据已于 { $at } 删除
order-ship-to = 收货地址
order-address-purged = 发货后已删除买家地址。
order-no-address = 渠道未提供地址。
order-raw = 渠道原始数据（供客服查看）
outbox-problems = 未能发送的更改
outbox-kind-listing-stock = 库存数量
outbox-kind-order-tracking = 物流单号上传
outbox-kind-listing-price = 价格
outbox-kind-listing-update = 刊登内容
outbox-kind-listing-status = 刊登状态
outbox-kind-message-reply = 回复买家
outbox-dead = 已尝试 { $attempts } 次后停止
outbox-next = 下次尝试 { $at }
outbox-retry = 立即重试
outbox-retried = 已发送 { $sent } 个，仍有 { $failed } 个失败。
ship-title = 标记发货
ship-carrier = 承运商
ship-date = 发货日期
ship-notify = 通知买家（由渠道发送运单号）
ship-mode-each = { $count ->
   *[other] 已选的 { $count } 个订单
}
ship-mode-list = 粘贴列表
ship-tracking = 运单号
ship-tracking-placeholder = 扫描或输入
ship-list-help = 每行一个订单：先写订单号，再写运单号（用制表符、逗号或空格隔开）。可直接从承运商导出的表格复制两列。
ship-problems = { $count ->
   *[other] 有 { $count } 行需要修改，尚未保存任何内容。
}
ship-problem-line = 第 { $line } 行：{ $error }
ship-submit = 标记发货
ship-cancel = 取消
ship-done = 已标记 { $shipped } 个订单发货{ $queued ->
    [0] 。
   *[other] ；运单号正在回传渠道（{ $queued } 个）。
}
ship-unchanged = { $count } 个订单已有相同运单号。
orders-selected = 已选 { $count } 个
orders-clear-selection = 清除
orders-ship-selected = 标记发货…
orders-paste-list = 粘贴发货列表…
orders-select-row = 选择此订单
order-mark-shipped = 标记发货…
order-shipments = 包裹
order-shipment-local = 已记录在 Mercator（此渠道未连接）
order-shipment-pending = 等待回传渠道
order-shipment-sending = 正在回传渠道…
order-shipment-sent = 已回传渠道 { $at }
order-shipment-failed = 渠道未接受：{ $error }
nav-stock = 库存
stock-title = 库存
stock-summary = 共 { $count } 个变体
stock-oversold = { $count } 个变体的未发货订单数量超过库存
stock-intro = 按仓库显示现有库存；未发货订单会占用库存直到发货。各渠道可售数量为剩余库存（减去该刊登的安全库存），库存变化一分钟内同步到渠道。
stock-search = SKU 或标题
stock-oversold-only = 只看超卖
stock-add-warehouse = 添加仓库
stock-warehouse-name = 名称
stock-warehouse-kind = 类型
stock-kind-own = 自有仓
stock-kind-3pl = 第三方 / 海外仓
stock-fba-column = FBA · { $name }
stock-fba-tooltip = 亚马逊运营中心当前可发货的数量，随该账户每次同步读取。这些库存只能通过亚马逊销售，因此不计入向其他渠道提供的数量。
stock-kind-fba = 亚马逊 FBA（只读）
stock-default-warehouse = 主仓
stock-reserved = 已占用
stock-available = 可售
stock-flag-oversold = 超卖 { $count }
stock-flag-out = 缺货
stock-saved = 已盘点 { $sku }。{ $count ->
    [0] 无需更新渠道数量。
   *[other] { $count } 个刊登正在更新数量。
}
capability-orders = 订单
capability-inventory = 库存
capability-listings = 价格与文案
capability-tracking = 物流单号
capability-messages = 消息
accounts-link = 关联刊登
accounts-link-hint = 从渠道读取该账户的刊登，并按 SKU 与商品目录关联（保持渠道上的在售/下架状态和价格）。之后其库存数量将跟随 Mercator 的库存。
accounts-linked = { $name }：读取 { $read } 个刊登，{ $linked } 个已与商品目录关联，{ $updated } 个补充了渠道 ID。
accounts-linked-unknown = { $count } 个 SKU 不在商品目录中（{ $skus }…）。
accounts-log-fba = 已读取 FBA 库存：亚马逊仓内 { $fetched } 个 SKU，其中 { $matched } 个在商品目录中，{ $changed } 项数量有变化
accounts-log-fba-error = 未能读取 FBA 库存（订单同步正常）：{ $error }
accounts-shopee-host-other = 其他 API 地址（沙箱：https://partner.test-stable.shopeemobile.com）
accounts-shopee-host = API 地址
accounts-partner-id = Partner ID
accounts-shop-id = 店铺 ID
accounts-partner-key = Partner Key
accounts-shopee-refresh = Refresh Token（店铺授权后获得，之后自动续期）

date-invalid = 不是有效日期：请按 { $pattern } 的格式输入
date-year = 年
date-month = 月
date-day = 日

## 消息：回复时限，以及回复平台买家时不能包含的内容
reply-state-closed = 无需回复
reply-state-answered = 已回复
reply-state-waiting = 待回复
reply-state-due = 请在 { $time } 前回复
reply-state-due-soon = 即将超时：请在 { $time } 前回复
reply-state-overdue = 已超时（截止 { $time }）
reply-lint-link = 请删除链接“{ $text }”：平台不允许向买家发送链接。
reply-lint-email = 请删除邮箱地址“{ $text }”：平台买家须通过平台沟通。
reply-lint-phone = 请删除电话号码“{ $text }”：平台不允许发送联系方式。
reply-lint-marketing = 请删除“{ $text }”：回复中不允许推广或索要评价。
notify-new-message = { $count } 条新的买家消息
