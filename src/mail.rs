//! Outgoing mail through lettre. By default every message is written as one `.eml` file
//! into `<data-dir>/outbox/`; with `smtp_url` set it goes to an SMTP relay instead.
//!
//! Bodies are plain text rendered from `templates/emails/`, subjects from the translations;
//! a mail may carry files (a receipt's PDF), sent as a multipart message.

use lettre::message::{
    header::ContentType, Attachment as Part, Mailbox, Message, MultiPart, SinglePart,
};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{FileTransport, SmtpTransport, Transport};

use crate::config::{Config, MailTransport};
use crate::error::{AppError, AppResult};

/// A rendered message.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The recipient's address, a bare address or `Name <address>`.
    pub to: String,
    /// The subject line, already translated.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
    /// Files sent along; none for most mails.
    pub attachments: Vec<Attachment>,
}

/// A file sent along with a mail.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// The name the recipient sees.
    pub file_name: String,
    /// The MIME type, such as `application/pdf`.
    pub content_type: &'static str,
    /// The file's content.
    pub bytes: Vec<u8>,
}

#[derive(Clone)]
enum Sender {
    Outbox(FileTransport),
    Smtp(Box<SmtpTransport>),
}

/// Sends mail through the configured transport: the outbox folder or an SMTP relay.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    sender: Sender,
}

impl Mailer {
    /// The mailer for `config`; a `Config` error for an unparsable `mail_from` or SMTP URL, or
    /// an outbox folder that cannot be created.
    pub fn new(config: &Config) -> AppResult<Mailer> {
        let from: Mailbox = config.mail_from.parse().map_err(|e| {
            AppError::Config(format!("invalid mail_from {:?}: {e}", config.mail_from))
        })?;
        let sender = match &config.mail {
            MailTransport::Outbox => {
                let dir = config.outbox_dir();
                std::fs::create_dir_all(&dir).map_err(|e| {
                    AppError::Config(format!("cannot create {}: {e}", dir.display()))
                })?;
                Sender::Outbox(FileTransport::new(dir))
            }
            MailTransport::Smtp {
                url,
                username,
                password,
            } => {
                let mut builder = SmtpTransport::from_url(url)
                    .map_err(|e| AppError::Config(format!("invalid smtp_url: {e}")))?;
                if let (Some(u), Some(p)) = (username, password) {
                    builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
                }
                Sender::Smtp(Box::new(builder.build()))
            }
        };
        Ok(Mailer { from, sender })
    }

    /// Sends synchronously; call from a blocking task.
    fn send_now(&self, mail: &Mail) -> AppResult<()> {
        // Erased accounts keep a reserved address that reaches no one: nothing is sent.
        if mail.to.trim_end_matches('>').ends_with(".invalid") {
            return Ok(());
        }
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| AppError::Internal(format!("bad recipient address: {e}")))?;
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone());
        let text = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone());
        let message = if mail.attachments.is_empty() {
            builder.singlepart(text)
        } else {
            let parts = mail.attachments.iter().try_fold(
                MultiPart::mixed().singlepart(text),
                |parts, a| {
                    let kind = ContentType::parse(a.content_type).map_err(AppError::internal)?;
                    Ok::<_, AppError>(
                        parts
                            .singlepart(Part::new(a.file_name.clone()).body(a.bytes.clone(), kind)),
                    )
                },
            )?;
            builder.multipart(parts)
        }
        .map_err(AppError::internal)?;
        match &self.sender {
            Sender::Outbox(t) => t.send(&message).map(|_| ()).map_err(AppError::internal),
            Sender::Smtp(t) => t.send(&message).map(|_| ()).map_err(AppError::internal),
        }
    }

    /// Sends off the request workers and says whether the mail went out; for a mail the
    /// person waits for and can ask for again. The recipient is not logged.
    pub async fn deliver(&self, mail: Mail) -> AppResult<()> {
        let mailer = self.clone();
        actix_web::web::block(move || mailer.send_now(&mail)).await?
    }

    /// Sends off the request workers. A failure is logged, not returned: the action that
    /// caused the mail has already happened, and the person can ask for the mail again.
    pub async fn send(&self, mail: Mail) {
        let to = mail.to.clone();
        match self.deliver(mail).await {
            Ok(()) => tracing::info!(to = %to, "mail sent"),
            Err(e) => tracing::error!(to = %to, error = %e, "mail not sent"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_to_an_erased_account_goes_nowhere() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::for_data_dir(dir.path());
        let mailer = Mailer::new(&config).unwrap();
        let mail = |to: &str| Mail {
            to: to.into(),
            subject: "Betreff".into(),
            body: "Text".into(),
            attachments: Vec::new(),
        };
        mailer.send_now(&mail("erased-7@erased.invalid")).unwrap();
        mailer
            .send_now(&mail("Gelöscht <erased-8@erased.invalid>"))
            .unwrap();
        let written = || {
            std::fs::read_dir(config.outbox_dir())
                .map(|d| d.count())
                .unwrap_or(0)
        };
        assert_eq!(written(), 0);
        mailer.send_now(&mail("erika@example.org")).unwrap();
        assert_eq!(written(), 1);
    }
}
