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
