//! Who a form seals to: the recipient policy, with no DOM, clock or storage.
//!
//! The shop configures raw courier keys, or a signed courier directory with the platform key
//! pinned in the page (and optionally the couriers it works with), or test mode. This module
//! checks that configuration and chooses the keys; the widget and the JS binding only convert
//! JS values, read the clock and the last directory serial this browser saw, and call it.

use crate::{
    directory::{check_rollback, PlatformPublicKey, SignedDirectory},
    keys::UtcSeconds,
    Error, PublicKey,
};

/// The public test courier key (identity in README): for shops' own test suites.
pub const TEST_COURIER_PUBLIC_KEY: &str =
    "sp1sju5n8ppesylh285cqe6clzwm3gu0p3nhye2hekfqm9mhta509asa09mlw";
/// Its identity (private key). Public on purpose: anything sealed to it is readable by anyone.
pub const TEST_COURIER_IDENTITY: &str =
    "SEALPOST-SECRET-KEY-14QLMYPQVXAFSAK242PYSM6M8WE49Q3N2JE32R27TQ72ZRHXHUDEQPJSNJW";

/// The recipients a shop configured, checked for consistency (see [`RecipientPolicy::new`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecipientPolicy {
    couriers: Vec<String>,
    directory: Option<String>,
    platform_key: Option<PlatformPublicKey>,
    allowed_couriers: Option<Vec<String>>,
    test_mode: bool,
}

/// A certified courier chosen to seal to, with the names the buyer is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChosenCourier {
    /// The courier's id in the directory.
    pub id: String,
    /// Its Chinese name.
    pub name_zh: String,
    /// Its English name.
    pub name_en: String,
    /// Its current key.
    pub public_key: PublicKey,
}

/// The couriers of a verified directory, and the serial the caller should now remember.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedCouriers {
    /// The couriers to seal to, in the directory's (canonical) order.
    pub couriers: Vec<ChosenCourier>,
    /// The directory's serial when it is newer than the last one seen (or none was seen):
    /// what to store as seen. `None` when nothing changes.
    pub remember_serial: Option<u64>,
}

/// The keys to seal to, and the directory serial to remember (see [`VerifiedCouriers`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipients {
    /// The keys, never empty.
    pub keys: Vec<PublicKey>,
    /// Set when the keys came from a directory newer than the last one seen.
    pub remember_serial: Option<u64>,
}

impl RecipientPolicy {
    /// Checks a configuration: raw `couriers` keys (unparsed yet), or a signed `directory`
    /// (`spdir1.…`, checked only when sealing) with the pinned `platform_key` (`spp1…`) and the
    /// ids of the couriers the shop works with (`None`: every one).
    ///
    /// Refused: couriers and a directory together; couriers beside a pinned platform key (the
    /// form must then seal only to the directory's couriers); a directory without a pinned key.
    pub fn new(
        couriers: Vec<String>,
        directory: Option<String>,
        platform_key: Option<&str>,
        allowed_couriers: Option<Vec<String>>,
        test_mode: bool,
    ) -> Result<RecipientPolicy, Error> {
        if directory.is_some() && !couriers.is_empty() {
            return Err(Error::InvalidRecipients(
                "give either couriers or a directory, not both",
            ));
        }
        let platform_key = platform_key.map(str::parse).transpose()?;
        if platform_key.is_some() && !couriers.is_empty() {
            return Err(Error::InvalidRecipients(
                "with a pinned platformKey the form seals only to its directory's couriers: remove couriers",
            ));
        }
        if directory.is_some() && platform_key.is_none() {
            return Err(Error::InvalidPlatformKey(
                "a directory needs the platform key (platformKey: \"spp1…\") pinned in the page",
            ));
        }
        Ok(RecipientPolicy {
            couriers,
            directory,
            platform_key,
            allowed_couriers,
            test_mode,
        })
    }

    /// Whether the form seals to the public test key.
    pub fn test_mode(&self) -> bool {
        self.test_mode
    }

    /// The pinned platform key when the keys come from a directory (not in test mode): the
    /// caller looks up the last serial it saw for this key before calling
    /// [`recipients`](Self::recipients) or [`directory_couriers`](Self::directory_couriers).
    pub fn directory_pin(&self) -> Option<&PlatformPublicKey> {
        match (&self.directory, self.test_mode) {
            (Some(_), false) => self.platform_key.as_ref(),
            _ => None,
        }
    }

    /// The certified couriers of the configured directory at `now` (`seen`: the highest serial
    /// seen for the pinned key), as [`verified_couriers`] chooses them.
    pub fn directory_couriers(
        &self,
        now: UtcSeconds,
        seen: Option<u64>,
    ) -> Result<VerifiedCouriers, Error> {
        let text = self
            .directory
            .as_deref()
            .ok_or(Error::InvalidRecipients("no courier directory configured"))?;
        let pinned = self.platform_key.as_ref().ok_or(Error::InvalidPlatformKey(
            "a directory needs the platform key pinned in the page",
        ))?;
        verified_couriers(text, pinned, self.allowed_couriers.as_deref(), now, seen)
    }

    /// The keys to seal to: the test key in test mode, else the signed directory's, else the
    /// shop's couriers.
    pub fn recipients(&self, now: UtcSeconds, seen: Option<u64>) -> Result<Recipients, Error> {
        if self.test_mode {
            return Ok(Recipients {
                keys: vec![TEST_COURIER_PUBLIC_KEY.parse()?],
                remember_serial: None,
            });
        }
        if self.directory.is_some() {
            let verified = self.directory_couriers(now, seen)?;
            return Ok(Recipients {
                keys: verified
                    .couriers
                    .into_iter()
                    .map(|c| c.public_key)
                    .collect(),
                remember_serial: verified.remember_serial,
            });
        }
        if self.couriers.is_empty() {
            return Err(Error::InvalidRecipients("no courier key configured"));
        }
        Ok(Recipients {
            keys: self
                .couriers
                .iter()
                .map(|k| k.parse())
                .collect::<Result<_, _>>()?,
            remember_serial: None,
        })
    }
}

/// The couriers of a signed directory to seal to (SPEC.md §9.3): verified with the pinned
/// platform key, not older than the last issue seen (`seen`), valid at `now`, allowed by the
/// shop (`None`: all).
pub fn verified_couriers(
    text: &str,
    pinned: &PlatformPublicKey,
    allowed: Option<&[String]>,
    now: UtcSeconds,
    seen: Option<u64>,
) -> Result<VerifiedCouriers, Error> {
    let signed: SignedDirectory = text.parse()?;
    let directory = signed.verify(pinned)?;
    check_rollback(directory.serial, seen)?;
    let chosen = directory.recipients(now, allowed)?;
    let couriers = chosen
        .into_iter()
        .map(|r| {
            let courier = directory.courier(&r.courier);
            ChosenCourier {
                name_zh: courier.map_or_else(|| r.courier.clone(), |c| c.name_zh.clone()),
                name_en: courier.map_or_else(|| r.courier.clone(), |c| c.name_en.clone()),
                id: r.courier,
                public_key: r.public_key,
            }
        })
        .collect();
    let remember_serial = seen
        .is_none_or(|s| directory.serial > s)
        .then_some(directory.serial);
    Ok(VerifiedCouriers {
        couriers,
        remember_serial,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::{
        directory::{Courier, CourierKey, Directory, PlatformSigningKey},
        Identity,
    };

    const DAY: u64 = 86_400;
    /// 2026-11-26T00:00:00Z
    const NOW: UtcSeconds = UtcSeconds(1_795_651_200);

    fn platform(seed: u8) -> PlatformSigningKey {
        PlatformSigningKey::from_seed(&[seed; 32])
    }

    fn pin(seed: u8) -> String {
        platform(seed).public_key().to_string()
    }

    fn identity(b: u8) -> Identity {
        Identity::derive(&[b; 32]).unwrap()
    }

    fn courier(id: &str, key: u8, from_days: u64, until_days: u64) -> Courier {
        Courier {
            id: id.into(),
            name_zh: format!("快递{id}"),
            name_en: format!("Courier {id}"),
            logo: None,
            keys: vec![CourierKey {
                public_key: identity(key).public_key().clone(),
                valid_from: UtcSeconds(NOW.0 - from_days * DAY),
                valid_until: UtcSeconds(NOW.0 + until_days * DAY),
            }],
        }
    }

    /// A directory with serial `serial` signed by platform key `seed`: sf (key 1) and zto
    /// (key 2), both valid now.
    fn signed(seed: u8, serial: u64) -> String {
        let d = Directory {
            serial,
            issued: NOW,
            expires: UtcSeconds(NOW.0 + 30 * DAY),
            couriers: vec![courier("zto", 2, 10, 100), courier("sf", 1, 10, 100)],
        };
        d.sign(&platform(seed)).unwrap().to_string()
    }

    fn policy(directory: &str, allowed: Option<&[&str]>) -> RecipientPolicy {
        RecipientPolicy::new(
            Vec::new(),
            Some(directory.into()),
            Some(&pin(7)),
            allowed.map(|a| a.iter().map(|s| (*s).to_owned()).collect()),
            false,
        )
        .unwrap()
    }

    fn code<T: core::fmt::Debug>(r: Result<T, Error>) -> &'static str {
        r.unwrap_err().code()
    }

    #[test]
    fn test_key_constants_are_one_key_pair() {
        let identity = Identity::from_secret_str(TEST_COURIER_IDENTITY).unwrap();
        assert_eq!(identity.public_key().to_string(), TEST_COURIER_PUBLIC_KEY);
        // the package's JS constants and the demo identity file are the same pair
        let js = include_str!("js/index.js");
        assert!(js.contains(TEST_COURIER_PUBLIC_KEY) && js.contains(TEST_COURIER_IDENTITY));
        assert!(include_str!("../www/demo-courier.key").contains(TEST_COURIER_IDENTITY));
    }

    #[test]
    fn test_mode_seals_to_the_test_key_only_whatever_else_is_configured() {
        let other = identity(9).public_key().to_string();
        let raw = RecipientPolicy::new(vec![other], None, None, None, true).unwrap();
        let dir = RecipientPolicy::new(
            Vec::new(),
            Some("spdir1.garbage".into()),
            Some(&pin(7)),
            None,
            true,
        )
        .unwrap();
        for p in [raw, dir] {
            assert!(p.test_mode());
            assert_eq!(p.directory_pin(), None, "test mode reads no directory");
            let r = p.recipients(NOW, None).unwrap();
            assert_eq!(r.keys.len(), 1);
            assert_eq!(r.keys[0].to_string(), TEST_COURIER_PUBLIC_KEY);
            assert_eq!(r.remember_serial, None);
        }
    }

    #[test]
    fn raw_courier_keys_are_parsed_in_order_and_bad_ones_refused() {
        let keys = vec![
            identity(3).public_key().to_string(),
            identity(4).public_key().to_string(),
        ];
        let p = RecipientPolicy::new(keys.clone(), None, None, None, false).unwrap();
        assert_eq!(p.directory_pin(), None);
        let r = p.recipients(NOW, None).unwrap();
        let got: Vec<String> = r.keys.iter().map(ToString::to_string).collect();
        assert_eq!(got, keys);
        let none = RecipientPolicy::new(Vec::new(), None, None, None, false).unwrap();
        assert_eq!(code(none.recipients(NOW, None)), "invalid_recipients");
        let bad = RecipientPolicy::new(vec!["sp1nope".into()], None, None, None, false).unwrap();
        assert_eq!(code(bad.recipients(NOW, None)), "invalid_public_key");
    }

    #[test]
    fn inconsistent_configurations_are_refused_with_their_codes() {
        let key = identity(3).public_key().to_string();
        let dir = signed(7, 1);
        // couriers and a directory together
        let both = RecipientPolicy::new(
            vec![key.clone()],
            Some(dir.clone()),
            Some(&pin(7)),
            None,
            false,
        );
        assert_eq!(code(both), "invalid_recipients");
        // raw couriers beside a pinned platform key
        let pinned = RecipientPolicy::new(vec![key.clone()], None, Some(&pin(7)), None, false);
        assert_eq!(code(pinned), "invalid_recipients");
        // a directory without its platform key
        let unpinned = RecipientPolicy::new(Vec::new(), Some(dir.clone()), None, None, false);
        assert_eq!(code(unpinned), "invalid_platform_key");
        // a courier key where the platform key belongs
        let wrong = RecipientPolicy::new(Vec::new(), Some(dir), Some(&key), None, false);
        assert_eq!(code(wrong), "invalid_platform_key");
        // a pinned key alone is fine (the directory may come later), but there is no one to seal to
        let alone = RecipientPolicy::new(Vec::new(), None, Some(&pin(7)), None, false).unwrap();
        assert_eq!(code(alone.recipients(NOW, None)), "invalid_recipients");
        assert_eq!(
            code(alone.directory_couriers(NOW, None)),
            "invalid_recipients"
        );
    }

    #[test]
    fn a_directory_gives_the_current_key_of_every_allowed_courier() {
        let p = policy(&signed(7, 5), None);
        assert_eq!(p.directory_pin().map(ToString::to_string), Some(pin(7)));
        let v = p.directory_couriers(NOW, None).unwrap();
        let ids: Vec<&str> = v.couriers.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["sf", "zto"]);
        assert_eq!(v.couriers[0].name_zh, "快递sf");
        assert_eq!(v.couriers[0].name_en, "Courier sf");
        assert_eq!(&v.couriers[0].public_key, identity(1).public_key());
        let r = p.recipients(NOW, None).unwrap();
        assert_eq!(
            r.keys,
            [
                identity(1).public_key().clone(),
                identity(2).public_key().clone()
            ]
        );

        let only_zto = policy(&signed(7, 5), Some(&["zto", "unknown"]));
        let r = only_zto.recipients(NOW, None).unwrap();
        assert_eq!(r.keys, [identity(2).public_key().clone()]);
        let nobody = policy(&signed(7, 5), Some(&["dhl"]));
        assert_eq!(code(nobody.recipients(NOW, None)), "no_usable_courier");
    }

    #[test]
    fn the_directory_is_checked_against_the_clock() {
        let p = policy(&signed(7, 5), None);
        // keys valid from 10 days ago to 100 days ahead; the directory expires in 30 days
        assert_eq!(
            code(p.recipients(UtcSeconds(NOW.0 + 31 * DAY), None)),
            "directory_expired"
        );
        assert_eq!(
            code(p.recipients(UtcSeconds(NOW.0 - 11 * DAY), None)),
            "directory_key_not_yet_valid"
        );
        assert!(p.recipients(UtcSeconds(NOW.0 + 29 * DAY), None).is_ok());
    }

    #[test]
    fn a_directory_signed_otherwise_or_altered_is_refused() {
        let other = policy(&signed(8, 5), None);
        assert_eq!(code(other.recipients(NOW, None)), "directory_wrong_key");
        let garbage = policy("spdir1.garbage", None);
        assert_eq!(code(garbage.recipients(NOW, None)), "invalid_directory");
        let text = signed(7, 5);
        let mut altered = text.clone().into_bytes();
        let at = text.len() - 3;
        altered[at] = if altered[at] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap();
        let p = policy(&altered, None);
        assert_eq!(code(p.recipients(NOW, None)), "directory_signature_invalid");
    }

    #[test]
    fn rollback_is_refused_and_only_a_newer_serial_is_remembered() {
        let p = policy(&signed(7, 5), None);
        assert_eq!(p.recipients(NOW, None).unwrap().remember_serial, Some(5));
        assert_eq!(p.recipients(NOW, Some(4)).unwrap().remember_serial, Some(5));
        // the same serial again: accepted, nothing new to store
        assert_eq!(p.recipients(NOW, Some(5)).unwrap().remember_serial, None);
        assert_eq!(code(p.recipients(NOW, Some(6))), "directory_rollback");
        let pinned = pin(7).parse().unwrap();
        let v = verified_couriers(&signed(7, 9), &pinned, None, NOW, Some(5)).unwrap();
        assert_eq!(v.remember_serial, Some(9));
        assert_eq!(v.couriers.len(), 2);
    }
}
