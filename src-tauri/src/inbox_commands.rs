//! The support inbox: mailboxes, conversations, templates, replies. Replies
//! go to the outbox and the engine sends them; new mail comes from the
//! engine's mailbox watchers (window event `inbox`).

use crate::state::AppState;
use mercator_api::inbox::{
    self, AmazonActionsDto, AmazonMessageInput, ConversationDto, DraftDto, InboxCountsDto, InboxFilter, LintIssueDto,
    MailboxDto, MailboxInput, ReplyInput, SavedAttachmentDto, TemplateDto, ThreadDto,
};
use mercator_api::translation::{self, TranslatedDto, TranslationStatusDto};
use mercator_api::{ApiError, ApiResult};
use mercator_core::ErrorCode;
use tauri::State;
use tauri_plugin_opener::OpenerExt;

type S<'a> = State<'a, AppState>;

#[tauri::command]
pub async fn list_conversations(
    state: S<'_>,
    filter: InboxFilter,
    offset: i64,
    limit: i64,
) -> ApiResult<Vec<ConversationDto>> {
    inbox::conversations(state.store().await?.as_ref(), &filter, offset, limit).await
}

#[tauri::command]
pub async fn inbox_counts(state: S<'_>) -> ApiResult<InboxCountsDto> {
    inbox::counts(state.store().await?.as_ref()).await
}

#[tauri::command]
pub async fn open_conversation(state: S<'_>, conversation_id: String) -> ApiResult<ThreadDto> {
    inbox::thread(state.store().await?.as_ref(), &conversation_id).await
}

#[tauri::command]
pub async fn close_conversation(state: S<'_>, conversation_id: String) -> ApiResult<()> {
    inbox::close(state.store().await?.as_ref(), &conversation_id).await
}

#[tauri::command]
pub async fn lint_reply(state: S<'_>, conversation_id: String, text: String) -> ApiResult<Vec<LintIssueDto>> {
    inbox::lint(state.store().await?.as_ref(), &conversation_id, &text).await
}

#[tauri::command]
pub async fn draft_reply(state: S<'_>, conversation_id: String, template_id: Option<String>) -> ApiResult<DraftDto> {
    inbox::draft(state.store().await?.as_ref(), &conversation_id, template_id.as_deref()).await
}

#[tauri::command]
pub async fn send_reply(state: S<'_>, reply: ReplyInput) -> ApiResult<String> {
    let engine = state.engine().await?;
    let id = inbox::reply(engine.store(), &reply).await?;
    engine.send_soon();
    Ok(id)
}

#[tauri::command]
pub async fn retry_reply(state: S<'_>, message_id: String) -> ApiResult<()> {
    let engine = state.engine().await?;
    inbox::retry_reply(engine.store(), &message_id).await?;
    engine.send_soon();
    Ok(())
}

/// What Amazon's Messaging API allows for the conversation's order (asks Amazon).
#[tauri::command]
pub async fn amazon_message_kinds(state: S<'_>, conversation_id: String) -> ApiResult<AmazonActionsDto> {
    inbox::amazon_actions(state.store().await?.as_ref(), &state.vault, &conversation_id).await
}

#[tauri::command]
pub async fn send_amazon_message(state: S<'_>, message: AmazonMessageInput) -> ApiResult<String> {
    let engine = state.engine().await?;
    let id = inbox::send_amazon_message(engine.store(), &message).await?;
    engine.send_soon();
    Ok(id)
}

/// The translation provider's state (a key in the keyring or not).
#[tauri::command]
pub async fn translation_status(state: S<'_>) -> ApiResult<TranslationStatusDto> {
    translation::status(state.store().await?.as_ref(), &state.vault).await
}

/// Checks a DeepL key with DeepL, then keeps it in the keyring.
#[tauri::command]
pub async fn set_translation_key(
    state: S<'_>,
    key: String,
    endpoint: Option<String>,
) -> ApiResult<TranslationStatusDto> {
    translation::set_key(state.store().await?.as_ref(), &state.vault, &key, endpoint.as_deref()).await
}

#[tauri::command]
pub async fn remove_translation_key(state: S<'_>) -> ApiResult<()> {
    translation::remove_key(state.store().await?.as_ref(), &state.vault).await
}

/// Opens a buyer's attachment on the seller's request: written to the
/// profile, then handed to the OS, except a file that could run code,
/// which is only shown in its folder. Mercator itself never runs it.
#[tauri::command]
pub async fn open_attachment(
    app: tauri::AppHandle,
    state: S<'_>,
    message_id: String,
    index: i64,
) -> ApiResult<SavedAttachmentDto> {
    let dir = inbox::attachments_dir(&state.paths.data_dir);
    let saved = inbox::save_attachment(state.store().await?.as_ref(), &dir, &message_id, index).await?;
    if saved.runs_code {
        // shown in the file manager, or else its folder opened; the UI names the path either way
        if app.opener().reveal_item_in_dir(&saved.path).is_err() {
            if let Some(folder) = std::path::Path::new(&saved.path).parent() {
                let _ = app.opener().open_path(folder.display().to_string(), None::<&str>);
            }
        }
        return Ok(saved);
    }
    app.opener()
        .open_path(saved.path.clone(), None::<&str>)
        .map_err(|e| ApiError::new(ErrorCode::OpenFolderFailed).arg("path", &saved.path).arg("detail", e))?;
    Ok(saved)
}

/// Opens a message's link in the system browser; the UI calls it only
/// after the seller saw the real target. The target comes from the stored
/// message, never from the webview.
#[tauri::command]
pub async fn open_message_link(app: tauri::AppHandle, state: S<'_>, message_id: String, index: i64) -> ApiResult<()> {
    let url = inbox::message_link(state.store().await?.as_ref(), &message_id, index).await?;
    app.opener()
        .open_url(url.clone(), None::<&str>)
        .map_err(|e| ApiError::new(ErrorCode::OpenFolderFailed).arg("path", &url).arg("detail", e))
}

/// An invoice or a legal disclosure for an Amazon order: the seller picks
/// the PDF in the system's file dialog; the backend reads it from its path
/// (its bytes never cross IPC) and queues the message with it. `None` when
/// the seller cancels.
#[tauri::command]
pub async fn choose_amazon_document(
    app: tauri::AppHandle,
    state: S<'_>,
    conversation_id: String,
    action: String,
    lang: String,
    title: String,
) -> ApiResult<Option<String>> {
    let Some(picked) = crate::commands::pick_file(&app, title, "PDF", &["pdf", "PDF"]).await else { return Ok(None) };
    let path = picked.into_path().map_err(|_| ApiError::new(ErrorCode::AttachmentUnavailable))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let too_large = || {
        ApiError::new(ErrorCode::AmazonDocumentTooLarge)
            .arg("name", &name)
            .arg("max", (inbox::MAX_AMAZON_DOCUMENT >> 20).to_string())
    };
    // a regular file only (not a FIFO or a device), read up to the limit and no further,
    // off the async threads
    let read_path = path.clone();
    let read = tokio::task::spawn_blocking(move || -> std::io::Result<Option<Vec<u8>>> {
        use std::io::Read;
        let file = std::fs::File::open(&read_path)?;
        if !file.metadata()?.is_file() {
            return Err(std::io::Error::other("not a regular file"));
        }
        let mut bytes = Vec::new();
        file.take(inbox::MAX_AMAZON_DOCUMENT as u64 + 1).read_to_end(&mut bytes)?;
        Ok((bytes.len() <= inbox::MAX_AMAZON_DOCUMENT).then_some(bytes))
    })
    .await
    .map_err(|e| ApiError::new(ErrorCode::Internal).arg("detail", e.to_string()))?;
    let bytes = match read {
        Ok(Some(b)) => b,
        Ok(None) => return Err(too_large()),
        Err(e) => {
            return Err(ApiError::new(ErrorCode::AttachmentSaveFailed)
                .arg("path", path.display())
                .arg("detail", e.to_string()))
        }
    };
    let engine = state.engine().await?;
    let id = inbox::send_amazon_document(engine.store(), &conversation_id, &action, &lang, &name, &bytes).await?;
    engine.send_soon();
    Ok(Some(id))
}

/// A buyer's message in the seller's language (kept with it).
#[tauri::command]
pub async fn translate_message(state: S<'_>, message_id: String, lang: String) -> ApiResult<TranslatedDto> {
    translation::translate_message(state.store().await?.as_ref(), &state.vault, &message_id, &lang).await
}

/// A reply draft in the buyer's language.
#[tauri::command]
pub async fn translate_draft(state: S<'_>, text: String, to: String, from: Option<String>) -> ApiResult<TranslatedDto> {
    translation::translate_draft(state.store().await?.as_ref(), &state.vault, &text, &to, from.as_deref()).await
}

#[tauri::command]
pub async fn list_templates(state: S<'_>) -> ApiResult<Vec<TemplateDto>> {
    inbox::templates(state.store().await?.as_ref()).await
}

#[tauri::command]
pub async fn save_template(state: S<'_>, name: String, lang: String, body: String) -> ApiResult<String> {
    inbox::save_template(state.store().await?.as_ref(), &name, &lang, &body).await
}

#[tauri::command]
pub async fn delete_template(state: S<'_>, template_id: String) -> ApiResult<()> {
    inbox::delete_template(state.store().await?.as_ref(), &template_id).await
}

#[tauri::command]
pub async fn list_mailboxes(state: S<'_>) -> ApiResult<Vec<MailboxDto>> {
    inbox::mailboxes(state.store().await?.as_ref()).await
}

#[tauri::command]
pub async fn add_mailbox(state: S<'_>, mailbox: MailboxInput) -> ApiResult<MailboxDto> {
    let engine = state.engine().await?;
    let m = inbox::add_mailbox(engine.store(), &state.vault, &mailbox).await?;
    engine.check_mail();
    Ok(m)
}

#[tauri::command]
pub async fn check_mailbox(state: S<'_>, mailbox_id: String) -> ApiResult<MailboxDto> {
    let engine = state.engine().await?;
    let m = inbox::check_mailbox(engine.store(), &state.vault, &mailbox_id).await?;
    engine.check_mail();
    Ok(m)
}

#[tauri::command]
pub async fn remove_mailbox(state: S<'_>, mailbox_id: String) -> ApiResult<()> {
    inbox::remove_mailbox(state.store().await?.as_ref(), &state.vault, &mailbox_id).await
}

/// Reads every mailbox now.
#[tauri::command]
pub async fn check_mail(state: S<'_>) -> ApiResult<()> {
    state.engine().await?.check_mail();
    Ok(())
}
