//! Tokens → syntax tree, by recursive descent with one function per precedence level.
//!
//! Left-associative chains (`a + b - c`, `a and b and c`) become one n-ary node rather than a
//! deep left spine, so a long sum of indicators does not count against [`MAX_DEPTH`]; only real
//! nesting (parentheses, calls, `if`, `not`, unary `-`) does.

use std::fmt::Write as _;

use super::lexer::{Tok, Token, KEYWORDS};
use super::{ExprError, Span, MAX_DEPTH};

/// A syntax-tree node and the source range it was parsed from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Ast {
    pub span: Span,
    pub kind: AstKind,
}

/// `+ - * /`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// `== != < <= > >=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// The shapes of the syntax tree, before names are resolved or types checked.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum AstKind {
    Number(f64),
    Text(String),
    Bool(bool),
    Name(String),
    Neg(Box<Ast>),
    Not(Box<Ast>),
    /// `first op1 x1 op2 x2 …`, evaluated left to right.
    Arith {
        first: Box<Ast>,
        rest: Vec<(ArithOp, Ast)>,
    },
    And(Vec<Ast>),
    Or(Vec<Ast>),
    Compare {
        op: CmpOp,
        lhs: Box<Ast>,
        rhs: Box<Ast>,
    },
    If {
        cond: Box<Ast>,
        then: Box<Ast>,
        otherwise: Box<Ast>,
    },
    Call {
        name: String,
        name_span: Span,
        args: Vec<Ast>,
    },
}

/// Parses a whole token stream (as produced by `lex`, ending in `End`); stops at the first
/// syntax error.
pub(crate) fn parse(tokens: &[Token]) -> Result<Ast, ExprError> {
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    if parser.peek() == &Tok::End {
        return Err(ExprError::new(
            parser.span(),
            "expr.syntax",
            "expression is empty",
        ));
    }
    let ast = parser.expr()?;
    if parser.peek() != &Tok::End {
        return Err(parser.unexpected("an operator or the end of the expression"));
    }
    Ok(ast)
}

struct Parser<'t> {
    tokens: &'t [Token],
    pos: usize,
    depth: usize,
}

type Parsed = Result<Ast, ExprError>;

const END: Tok = Tok::End;

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        self.tokens.get(self.pos).map_or(&END, |t| &t.tok)
    }

    fn span(&self) -> Span {
        match (self.tokens.get(self.pos), self.tokens.last()) {
            (Some(token), _) | (None, Some(token)) => token.span,
            (None, None) => Span { start: 0, end: 0 },
        }
    }

    /// Consumes the current token, returning its span.
    fn bump(&mut self) -> Span {
        let span = self.span();
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        span
    }

    fn expect(&mut self, tok: &Tok, context: &str) -> Result<Span, ExprError> {
        if self.peek() == tok {
            Ok(self.bump())
        } else {
            Err(self.unexpected(&format!("{} {context}", tok.describe())))
        }
    }

    fn unexpected(&self, wanted: &str) -> ExprError {
        let found = self.peek();
        let mut message = format!("expected {wanted}, found {}", found.describe());
        if let Tok::Ident(word) = found {
            let lower = word.to_lowercase();
            if KEYWORDS.contains(&lower.as_str()) {
                let _ = write!(message, "; keywords are lowercase: write `{lower}`");
            }
        }
        ExprError::new(self.span(), "expr.syntax", message)
    }

    /// Enters one level of nesting at `span`, failing beyond [`MAX_DEPTH`].
    fn enter(&mut self, span: Span) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let message = format!("expression is nested more than {MAX_DEPTH} levels deep");
            return Err(ExprError::new(span, "expr.too_deep", message));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn expr(&mut self) -> Parsed {
        self.or()
    }

    fn or(&mut self) -> Parsed {
        let first = self.and()?;
        let mut terms = vec![first];
        while self.peek() == &Tok::Or {
            self.bump();
            terms.push(self.and()?);
        }
        Ok(logic(terms, AstKind::Or))
    }

    fn and(&mut self) -> Parsed {
        let first = self.not()?;
        let mut terms = vec![first];
        while self.peek() == &Tok::And {
            self.bump();
            terms.push(self.not()?);
        }
        Ok(logic(terms, AstKind::And))
    }

    fn not(&mut self) -> Parsed {
        if self.peek() != &Tok::Not {
            return self.comparison();
        }
        let start = self.bump();
        self.enter(start)?;
        let operand = self.not()?;
        self.leave();
        let span = start.to(operand.span);
        Ok(Ast {
            span,
            kind: AstKind::Not(Box::new(operand)),
        })
    }

    fn comparison(&mut self) -> Parsed {
        let lhs = self.additive()?;
        let Some(op) = cmp_op(self.peek()) else {
            return Ok(lhs);
        };
        self.bump();
        let rhs = self.additive()?;
        if cmp_op(self.peek()).is_some() {
            let message = "comparisons cannot be chained; write `a < b and b < c`";
            return Err(ExprError::new(self.span(), "expr.syntax", message));
        }
        let span = lhs.span.to(rhs.span);
        let kind = AstKind::Compare {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        };
        Ok(Ast { span, kind })
    }

    fn additive(&mut self) -> Parsed {
        self.arith_chain(Self::multiplicative, |tok| match tok {
            Tok::Plus => Some(ArithOp::Add),
            Tok::Minus => Some(ArithOp::Sub),
            _ => None,
        })
    }

    fn multiplicative(&mut self) -> Parsed {
        self.arith_chain(Self::unary, |tok| match tok {
            Tok::Star => Some(ArithOp::Mul),
            Tok::Slash => Some(ArithOp::Div),
            _ => None,
        })
    }

    fn arith_chain(
        &mut self,
        operand: fn(&mut Self) -> Parsed,
        op_of: fn(&Tok) -> Option<ArithOp>,
    ) -> Parsed {
        let first = operand(self)?;
        let mut rest = Vec::new();
        while let Some(op) = op_of(self.peek()) {
            self.bump();
            rest.push((op, operand(self)?));
        }
        let Some(last) = rest.last() else {
            return Ok(first);
        };
        let span = first.span.to(last.1.span);
        Ok(Ast {
            span,
            kind: AstKind::Arith {
                first: Box::new(first),
                rest,
            },
        })
    }

    fn unary(&mut self) -> Parsed {
        if self.peek() != &Tok::Minus {
            return self.primary();
        }
        let start = self.bump();
        self.enter(start)?;
        let operand = self.unary()?;
        self.leave();
        let span = start.to(operand.span);
        Ok(Ast {
            span,
            kind: AstKind::Neg(Box::new(operand)),
        })
    }

    fn primary(&mut self) -> Parsed {
        let span = self.span();
        let kind = match self.peek().clone() {
            Tok::Number(n) => AstKind::Number(n),
            Tok::Text(text) => AstKind::Text(text),
            Tok::True => AstKind::Bool(true),
            Tok::False => AstKind::Bool(false),
            Tok::Ident(name) => {
                self.bump();
                if self.peek() == &Tok::LParen {
                    return self.call(name, span);
                }
                return Ok(Ast {
                    span,
                    kind: AstKind::Name(name),
                });
            }
            Tok::LParen => return self.group(),
            Tok::If => return self.if_then_else(),
            _ => return Err(self.unexpected("a value, a name or `(`")),
        };
        self.bump();
        Ok(Ast { span, kind })
    }

    fn group(&mut self) -> Parsed {
        let open = self.bump();
        self.enter(open)?;
        let inner = self.expr()?;
        let close = self.expect(&Tok::RParen, "to close the `(`")?;
        self.leave();
        Ok(Ast {
            span: open.to(close),
            kind: inner.kind,
        })
    }

    fn call(&mut self, name: String, name_span: Span) -> Parsed {
        let open = self.bump();
        self.enter(open)?;
        let mut args = Vec::new();
        if self.peek() != &Tok::RParen {
            args.push(self.expr()?);
            while self.peek() == &Tok::Comma {
                self.bump();
                args.push(self.expr()?);
            }
        }
        let close = self.expect(&Tok::RParen, "or `,` in the argument list")?;
        self.leave();
        let span = name_span.to(close);
        Ok(Ast {
            span,
            kind: AstKind::Call {
                name,
                name_span,
                args,
            },
        })
    }

    fn if_then_else(&mut self) -> Parsed {
        let start = self.bump();
        self.enter(start)?;
        let cond = self.expr()?;
        self.expect(&Tok::Then, "after the `if` condition")?;
        let then = self.expr()?;
        self.expect(&Tok::Else, "(`if` needs both `then` and `else`)")?;
        let otherwise = self.expr()?;
        self.leave();
        let span = start.to(otherwise.span);
        let kind = AstKind::If {
            cond: Box::new(cond),
            then: Box::new(then),
            otherwise: Box::new(otherwise),
        };
        Ok(Ast { span, kind })
    }
}

fn cmp_op(tok: &Tok) -> Option<CmpOp> {
    Some(match tok {
        Tok::Eq => CmpOp::Eq,
        Tok::Ne => CmpOp::Ne,
        Tok::Lt => CmpOp::Lt,
        Tok::Le => CmpOp::Le,
        Tok::Gt => CmpOp::Gt,
        Tok::Ge => CmpOp::Ge,
        _ => return None,
    })
}

/// One operand stays itself; several become an n-ary `and`/`or`.
fn logic(mut terms: Vec<Ast>, make: fn(Vec<Ast>) -> AstKind) -> Ast {
    if terms.len() == 1 {
        if let Some(only) = terms.pop() {
            return only;
        }
    }
    let span = match (terms.first(), terms.last()) {
        (Some(first), Some(last)) => first.span.to(last.span),
        _ => Span { start: 0, end: 0 },
    };
    Ast {
        span,
        kind: make(terms),
    }
}
