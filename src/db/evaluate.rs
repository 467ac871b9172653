//! Questions only the server can answer, asked in the session's read-only snapshot.
//!
//! Drift asks whether two typed literals are the same value of a column's type (see
//! `drift::literals`): the type's input function decides, and only PostgreSQL has it.
//! Each question runs under a savepoint, so one the server refuses (a literal the type
//! does not accept) costs its own answer, not the snapshot transaction.

use super::connect::Session;
use crate::error::Result;
use tokio_postgres::SimpleQueryMessage;

/// The boolean each `SELECT` returns; `None` where the server refused the question or
/// answered with anything but one boolean.
pub async fn boolean_answers(client: &Session, questions: &[String]) -> Result<Vec<Option<bool>>> {
    let what = "comparing literal defaults";
    let mut answers = Vec::with_capacity(questions.len());
    for sql in questions {
        let asked =
            format!("SAVEPOINT migguard_question; {sql}; RELEASE SAVEPOINT migguard_question");
        match client.bounded(what, client.simple_query(&asked)).await? {
            Ok(messages) => {
                let values: Vec<Option<String>> = messages
                    .into_iter()
                    .filter_map(|m| match m {
                        SimpleQueryMessage::Row(r) => Some(r.get(0).map(str::to_string)),
                        _ => None,
                    })
                    .collect();
                answers.push(match values.as_slice() {
                    [Some(v)] if v == "t" => Some(true),
                    [Some(v)] if v == "f" => Some(false),
                    _ => None,
                });
            }
            Err(_) => {
                client
                    .run(
                        what,
                        client.batch_execute("ROLLBACK TO SAVEPOINT migguard_question"),
                    )
                    .await?;
                answers.push(None);
            }
        }
    }
    Ok(answers)
}
