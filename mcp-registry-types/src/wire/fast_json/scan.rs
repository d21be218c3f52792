//! The tokenizer: whitespace, strings, numbers, literals, and skipping whole values.

use super::{Deserializer, Refused};

/// Eight copies of a byte, to test eight bytes of input at once.
const fn splat(byte: u8) -> u64 {
    u64::from_ne_bytes([byte; 8])
}

const SPACES_16: u128 = u128::from_ne_bytes([b' '; 16]);
const ONES: u64 = splat(0x01);
const HIGH_BITS: u64 = splat(0x80);

/// Flags each byte that ends an easy string: `"`, `\` or a control byte below 0x20. Flipping
/// bit 1 turns `"` (0x22) into 0x20 and keeps controls below it, so one "less than 0x21" test
/// finds both; only ASCII bytes can be flagged (`!word`), and borrows only flag bytes after a
/// true hit, so the lowest flagged byte is exact.
const fn string_stops(word: u64) -> u64 {
    let quote_or_control = (word ^ splat(0x02)).wrapping_sub(splat(0x21));
    let backslash = (word ^ splat(b'\\')).wrapping_sub(ONES);
    (quote_or_control | backslash) & !word & HIGH_BITS
}

/// A number in the subset, as `serde_json` would hand it to the visitor.
pub(super) enum Number {
    Positive(u64),
    Negative(i64),
}

impl<'de> Deserializer<'de> {
    /// Skips whitespace and returns the next byte. Inlined for the two cases that are most of
    /// all calls: a token at once (compact text, `:`, `,`), or one space and then a token (after
    /// `:` in pretty-printed text). Every whitespace byte is at most a space.
    #[inline]
    pub(super) fn skip_whitespace(&mut self) -> Option<u8> {
        let bytes = self.text.as_bytes();
        let byte = *bytes.get(self.pos)?;
        if byte > b' ' {
            return Some(byte);
        }
        if byte == b' '
            && let Some(&next) = bytes.get(self.pos + 1)
            && next > b' '
        {
            self.pos += 1;
            return Some(next);
        }
        self.skip_whitespace_run()
    }

    /// Longer runs: a newline and indentation before a key or an element.
    #[inline(never)]
    fn skip_whitespace_run(&mut self) -> Option<u8> {
        let bytes = self.text.as_bytes();
        let mut pos = self.pos;
        let found = loop {
            let Some(&byte) = bytes.get(pos) else {
                break None;
            };
            if !is_whitespace(byte) {
                break Some(byte);
            }
            pos += 1;
            // Indentation: sixteen bytes at once covers most of it in one step (an all-space
            // block has 128 trailing zero bits once the spaces are cleared: a step of 16).
            if let Some(block) = bytes.get(pos..).and_then(<[u8]>::first_chunk::<16>) {
                pos += ((u128::from_le_bytes(*block) ^ SPACES_16).trailing_zeros() / 8) as usize;
            }
        };
        self.pos = pos;
        found
    }

    /// Skips whitespace, then requires `byte` and steps over it.
    #[inline]
    pub(super) fn expect(&mut self, byte: u8) -> Result<(), Refused> {
        if self.skip_whitespace() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Refused)
        }
    }

    /// Reads the rest of a string whose opening quote is at `pos`, borrowed from the input.
    /// Refuses a backslash (escapes are `serde_json`'s job) and raw control bytes (invalid JSON).
    /// Eight bytes at a time, like `serde_json`'s `skip_to_escape`.
    #[inline]
    pub(super) fn string(&mut self) -> Result<&'de str, Refused> {
        let bytes = self.text.as_bytes();
        let start = self.pos + 1;
        let rest = bytes.get(start..).unwrap_or_default();
        // `chunks_exact` spares a bounds check per word.
        let mut words = rest.chunks_exact(8);
        let mut len = 0;
        let mut stopped = false;
        for word in &mut words {
            let Some(word) = word.first_chunk::<8>() else {
                return Err(Refused);
            };
            let mask = string_stops(u64::from_le_bytes(*word));
            if mask != 0 {
                len += (mask.trailing_zeros() / 8) as usize;
                stopped = true;
                break;
            }
            len += 8;
        }
        if !stopped {
            len += tail_stop(words.remainder());
        }
        let end = start + len;
        if bytes.get(end) != Some(&b'"') {
            return Err(Refused);
        }
        let text = self.text.get(start..end).ok_or(Refused)?;
        self.pos = end + 1;
        Ok(text)
    }

    /// Reads a number starting at `pos` (a `-` or a digit), or refuses one outside the subset.
    #[inline]
    pub(super) fn number(&mut self) -> Result<Number, Refused> {
        let bytes = self.text.as_bytes();
        let negative = bytes.get(self.pos) == Some(&b'-');
        let start = self.pos + usize::from(negative);
        let mut end = start;
        let mut value: u64 = 0;
        // Eighteen digits always fit, so no overflow check is needed.
        while let Some(&digit @ b'0'..=b'9') = bytes.get(end) {
            if end - start == 18 {
                return Err(Refused);
            }
            value = value * 10 + u64::from(digit - b'0');
            end += 1;
        }
        let digits = end - start;
        let leading_zero = bytes.get(start) == Some(&b'0');
        // No digits, a leading zero (serde_json allows a lone `0` but not `-0`, which it reads
        // as a float), or a fraction or exponent: not ours.
        if digits == 0
            || (leading_zero && (digits > 1 || negative))
            || matches!(bytes.get(end), Some(b'.' | b'e' | b'E'))
        {
            return Err(Refused);
        }
        self.pos = end;
        if negative {
            let magnitude = i64::try_from(value).map_err(|_| Refused)?;
            Ok(Number::Negative(-magnitude))
        } else {
            Ok(Number::Positive(value))
        }
    }

    /// Steps over `word` (`null`, `true`, `false`) at `pos`. Like `serde_json`, it does not look
    /// at what follows: the caller's structure check does.
    #[inline]
    pub(super) fn literal(&mut self, word: &[u8]) -> Result<(), Refused> {
        let bytes = self.text.as_bytes();
        if bytes
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(word))
        {
            self.pos += word.len();
            Ok(())
        } else {
            Err(Refused)
        }
    }

    /// Opens a container (its bracket at `pos`), counting against the depth limit.
    #[inline]
    pub(super) fn enter(&mut self) -> Result<(), Refused> {
        self.depth = self.depth.checked_sub(1).ok_or(Refused)?;
        self.pos += 1;
        Ok(())
    }

    /// Skips one value with the same subset rules, for `deserialize_ignored_any` and raw
    /// values.
    pub(super) fn skip_value(&mut self) -> Result<(), Refused> {
        match self.skip_whitespace().ok_or(Refused)? {
            b'"' => self.string().map(drop),
            b'-' | b'0'..=b'9' => self.number().map(drop),
            b'n' => self.literal(b"null"),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'[' => {
                self.enter()?;
                if self.skip_whitespace() == Some(b']') {
                    self.pos += 1;
                } else {
                    loop {
                        self.skip_value()?;
                        match self.skip_whitespace() {
                            Some(b',') => self.pos += 1,
                            Some(b']') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(Refused),
                        }
                    }
                }
                self.depth += 1;
                Ok(())
            }
            b'{' => {
                self.enter()?;
                if self.skip_whitespace() == Some(b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        if self.skip_whitespace() != Some(b'"') {
                            return Err(Refused);
                        }
                        self.string()?;
                        self.expect(b':')?;
                        self.skip_value()?;
                        match self.skip_whitespace() {
                            Some(b',') => self.pos += 1,
                            Some(b'}') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(Refused),
                        }
                    }
                }
                self.depth += 1;
                Ok(())
            }
            _ => Err(Refused),
        }
    }
}

/// `serde_json`'s whitespace: space, `\n`, `\t`, `\r`, tested with one shift of a bit mask.
#[inline]
fn is_whitespace(byte: u8) -> bool {
    const MASK: u64 = 1 << b' ' | 1 << b'\n' | 1 << b'\t' | 1 << b'\r';
    byte <= b' ' && MASK >> byte & 1 == 1
}

/// The first string stop in the last few (under eight) bytes of the input, one at a time.
#[cold]
fn tail_stop(tail: &[u8]) -> usize {
    tail.iter()
        .take_while(|&&byte| byte != b'"' && byte != b'\\' && byte >= 0x20)
        .count()
}
