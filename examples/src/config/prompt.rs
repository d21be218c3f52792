//! Asking a person for the inputs an entry needs: the [`Prompter`] trait, its terminal
//! implementation ([`Terminal`], on `inquire`), and [`collect`], which fills in what the
//! command line did not give.
//!
//! Behind a trait so tests drive the same path a person does, with scripted answers.

use mcp_registry_client::types::InputFormat;
use mcp_registry_client::types::plan::{Answers, Question};

/// Asks for one input.
pub trait Prompter {
    /// The value(s) for `question`: none when the person leaves it empty, several for a
    /// repeated input.
    ///
    /// # Errors
    /// The person cancelled, or the terminal failed: the message to print.
    fn ask(&mut self, question: &Question) -> Result<Vec<String>, String>;
}

/// Asks on the terminal: a pick list for choices, yes/no for booleans, hidden entry for
/// secrets, and a checked text line otherwise (numbers must be numbers), with the default
/// offered.
#[derive(Debug, Default)]
pub struct Terminal;

impl Prompter for Terminal {
    fn ask(&mut self, question: &Question) -> Result<Vec<String>, String> {
        let label = label(question);
        let help = question.description().unwrap_or_default().to_owned();
        let failed =
            |error: inquire::InquireError| format!("cannot ask for `{}`: {error}", question.key());
        if question.is_secret() {
            let value = inquire::Password::new(&label)
                .with_display_mode(inquire::PasswordDisplayMode::Hidden)
                .without_confirmation()
                .with_help_message(&help)
                .prompt_skippable()
                .map_err(failed)?;
            return Ok(value.into_iter().filter(|v| !v.is_empty()).collect());
        }
        if !question.choices().is_empty() {
            let choices = question.choices().to_vec();
            let start = question
                .default_value()
                .and_then(|default| choices.iter().position(|choice| choice == default))
                .unwrap_or(0);
            let value = inquire::Select::new(&label, choices)
                .with_starting_cursor(start)
                .with_help_message(&help)
                .prompt_skippable()
                .map_err(failed)?;
            return Ok(value.into_iter().collect());
        }
        if *question.format() == InputFormat::Boolean {
            let default = question.default_value().is_some_and(|d| d == "true");
            let value = inquire::Confirm::new(&label)
                .with_default(default)
                .with_help_message(&help)
                .prompt_skippable()
                .map_err(failed)?;
            return Ok(value.map(|yes| yes.to_string()).into_iter().collect());
        }
        let mut values = Vec::new();
        loop {
            let mut prompt = inquire::Text::new(&label).with_help_message(&help);
            if let Some(default) = question.default_value().filter(|_| values.is_empty()) {
                prompt = prompt.with_default(default);
            }
            if let Some(placeholder) = question.placeholder() {
                prompt = prompt.with_placeholder(placeholder);
            }
            if *question.format() == InputFormat::Number {
                prompt = prompt.with_validator(|text: &str| {
                    Ok(if text.is_empty() || text.parse::<f64>().is_ok() {
                        inquire::validator::Validation::Valid
                    } else {
                        inquire::validator::Validation::Invalid("a number, please".into())
                    })
                });
            }
            match prompt.prompt_skippable().map_err(failed)? {
                Some(value) if !value.is_empty() => values.push(value),
                _ => break,
            }
            if !question.is_repeated() {
                break;
            }
        }
        Ok(values)
    }
}

/// What a prompt shows: the key, marked when it is required or repeated.
fn label(question: &Question) -> String {
    let mut label = question.key().to_owned();
    if question.is_required() {
        label.push_str(" (required)");
    }
    if question.is_repeated() {
        label.push_str(" (one per line, empty to finish)");
    }
    label.push(':');
    label
}

/// Fills `answers` with what `prompter` gets for each question that has no answer yet.
/// Secrets are not asked for: nothing written to a host's file carries their value, so the
/// file gets a reference and the person sets the value where the host reads it.
///
/// # Errors
/// The prompter's message.
pub fn collect(
    questions: &[Question],
    answers: &mut Answers,
    prompter: &mut dyn Prompter,
) -> Result<(), String> {
    for question in questions {
        if question.is_secret() || !answers.get_all(question.key()).is_empty() {
            continue;
        }
        for value in prompter.ask(question)? {
            answers.push(question.key(), value);
        }
    }
    Ok(())
}
