//! Source text → tokens with byte spans.
//!
//! Spellings borrowed from other languages (`&&`, `||`, `!`, `=`) are lexed as the operator the
//! author meant *and* reported with the right spelling, so parsing and type checking still run
//! and every problem shows up in one pass.

use super::{ExprError, Span};

/// A token kind; literals carry their already-decoded value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    Number(f64),
    Text(String),
    Ident(String),
    True,
    False,
    And,
    Or,
    Not,
    If,
    Then,
    Else,
    Plus,
    Minus,
    Star,
    Slash,
    LParen,
    RParen,
    Comma,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    End,
}

impl Tok {
    /// How the token reads in an error message.
    pub(crate) fn describe(&self) -> String {
        let fixed = match self {
            Tok::Number(n) => return format!("number `{n}`"),
            Tok::Text(t) => return format!("string {t:?}"),
            Tok::Ident(name) => return format!("`{name}`"),
            Tok::True => "true",
            Tok::False => "false",
            Tok::And => "and",
            Tok::Or => "or",
            Tok::Not => "not",
            Tok::If => "if",
            Tok::Then => "then",
            Tok::Else => "else",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::Comma => ",",
            Tok::Eq => "==",
            Tok::Ne => "!=",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::End => return "the end of the expression".to_owned(),
        };
        format!("`{fixed}`")
    }
}

/// A token and where it sits in the source.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// The reserved words; everything else that looks like a name is an input name.
pub(crate) const KEYWORDS: [&str; 8] = ["and", "or", "not", "if", "then", "else", "true", "false"];

fn keyword(word: &str) -> Option<Tok> {
    Some(match word {
        "and" => Tok::And,
        "or" => Tok::Or,
        "not" => Tok::Not,
        "if" => Tok::If,
        "then" => Tok::Then,
        "else" => Tok::Else,
        "true" => Tok::True,
        "false" => Tok::False,
        _ => return None,
    })
}

/// Splits `src` into tokens ending with [`Tok::End`]; lexical errors go to `errors` and the
/// offending characters are skipped (or replaced by the intended operator).
pub(crate) fn lex(src: &str, errors: &mut Vec<ExprError>) -> Vec<Token> {
    let mut lexer = Lexer {
        src,
        pos: 0,
        tokens: Vec::new(),
        errors,
    };
    lexer.run();
    let end = Span {
        start: src.len(),
        end: src.len(),
    };
    lexer.tokens.push(Token {
        tok: Tok::End,
        span: end,
    });
    lexer.tokens
}

struct Lexer<'s, 'e> {
    src: &'s str,
    pos: usize,
    tokens: Vec<Token>,
    errors: &'e mut Vec<ExprError>,
}

fn is_name_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_name_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

impl Lexer<'_, '_> {
    fn peek(&self) -> Option<char> {
        self.peek_at(0)
    }

    /// The character `n` characters ahead of the cursor.
    fn peek_at(&self, n: usize) -> Option<char> {
        self.src
            .get(self.pos..)
            .and_then(|rest| rest.chars().nth(n))
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat_while(&mut self, keep: impl Fn(char) -> bool) {
        while self.peek().is_some_and(&keep) {
            self.bump();
        }
    }

    fn span_from(&self, start: usize) -> Span {
        Span {
            start,
            end: self.pos,
        }
    }

    fn text_from(&self, start: usize) -> &str {
        self.src.get(start..self.pos).unwrap_or("")
    }

    fn push(&mut self, tok: Tok, start: usize) {
        let span = self.span_from(start);
        self.tokens.push(Token { tok, span });
    }

    fn error(&mut self, start: usize, message: impl Into<String>) {
        let span = self.span_from(start);
        self.errors
            .push(ExprError::new(span, "expr.syntax", message));
    }

    fn run(&mut self) {
        while let Some(c) = self.peek() {
            let start = self.pos;
            if c.is_whitespace() {
                self.bump();
            } else if c.is_ascii_digit() {
                self.number(start);
            } else if is_name_start(c) {
                self.eat_while(is_name_char);
                let word = self.text_from(start);
                let tok = keyword(word).unwrap_or_else(|| Tok::Ident(word.to_owned()));
                self.push(tok, start);
            } else if c == '"' || c == '\'' {
                self.string(start, c);
            } else {
                self.operator(start, c);
            }
        }
    }

    fn number(&mut self, start: usize) {
        self.eat_while(|c| c.is_ascii_digit());
        if self.peek() == Some('.') {
            self.bump();
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return self.error(start, "a number needs digits after `.`, e.g. `1.0`");
            }
            self.eat_while(|c| c.is_ascii_digit());
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            let digit_at = if matches!(self.peek_at(1), Some('+' | '-')) {
                2
            } else {
                1
            };
            if self.peek_at(digit_at).is_some_and(|c| c.is_ascii_digit()) {
                for _ in 0..digit_at {
                    self.bump();
                }
                self.eat_while(|c| c.is_ascii_digit());
            }
        }
        if self.peek().is_some_and(is_name_char) {
            self.eat_while(is_name_char);
            return self.error(start, "a name cannot start with a digit");
        }
        match self.text_from(start).parse::<f64>() {
            Ok(n) if n.is_finite() => self.push(Tok::Number(n), start),
            _ => self.error(start, "number is too large"),
        }
    }

    fn string(&mut self, start: usize, quote: char) {
        self.bump();
        let mut value = String::new();
        loop {
            let escape_at = self.pos;
            match self.bump() {
                None => {
                    return self
                        .error(start, format!("unterminated string; add a closing {quote}"));
                }
                Some(c) if c == quote => break,
                Some('\\') => match self.bump() {
                    Some(c @ ('\\' | '"' | '\'')) => value.push(c),
                    Some('n') => value.push('\n'),
                    Some('t') => value.push('\t'),
                    _ => self.error(escape_at, "unknown escape; use \\\\, \\\", \\', \\n or \\t"),
                },
                Some(c) => value.push(c),
            }
        }
        self.push(Tok::Text(value), start);
    }

    fn operator(&mut self, start: usize, c: char) {
        self.bump();
        let next = self.peek();
        let (tok, wrong_spelling) = match (c, next) {
            ('+', _) => (Tok::Plus, None),
            ('-', _) => (Tok::Minus, None),
            ('*', _) => (Tok::Star, None),
            ('/', _) => (Tok::Slash, None),
            ('(', _) => (Tok::LParen, None),
            (')', _) => (Tok::RParen, None),
            (',', _) => (Tok::Comma, None),
            ('<', Some('=')) => (Tok::Le, None),
            ('>', Some('=')) => (Tok::Ge, None),
            ('<', _) => (Tok::Lt, None),
            ('>', _) => (Tok::Gt, None),
            ('=', Some('=')) => (Tok::Eq, None),
            ('!', Some('=')) => (Tok::Ne, None),
            ('=', _) => (Tok::Eq, Some("use `==` to compare")),
            ('!', _) => (Tok::Not, Some("use `not` to negate")),
            ('&', _) => (Tok::And, Some("use `and` to combine conditions")),
            ('|', _) => (Tok::Or, Some("use `or` for alternatives")),
            _ => return self.error(start, format!("unexpected character `{c}`")),
        };
        // Two-character operators and the doubled `&&` / `||` consume their second character.
        let doubled = matches!((c, next), ('&', Some('&')) | ('|', Some('|')));
        let two_char = matches!((c, next), ('<' | '>' | '=' | '!', Some('=')));
        if doubled || two_char {
            self.bump();
        }
        if let Some(hint) = wrong_spelling {
            let written = self.text_from(start).to_owned();
            self.error(
                start,
                format!("`{written}` is not an operator here; {hint}"),
            );
        }
        self.push(tok, start);
    }
}
