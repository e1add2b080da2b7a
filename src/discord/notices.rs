//! The few notices only Discord needs (a cooldown, someone else's routine, admins only, a
//! failed send). Short on purpose, and composed through [`Composer::info`] /
//! [`Composer::error`] so they carry the disclaimer like every other reply.

use std::time::Duration;

use crate::reply::{Composer, Reply};

pub fn cooldown(composer: &Composer, retry_after: Duration) -> Reply {
    let secs = retry_after.as_secs().max(1);
    composer.info(
        "One moment, please",
        format!(
            "You've asked several questions in a short time. Please wait {secs} s and ask \
             again. Warning signs are always answered at once."
        ),
    )
}

pub fn not_your_routine(composer: &Composer) -> Reply {
    composer.info(
        "This routine belongs to someone else",
        "Only the member who started it can press its buttons. Start your own with /routine.",
    )
}

pub fn admins_only(composer: &Composer) -> Reply {
    composer.error("/knowledge is for members with the Manage Server permission.")
}

pub fn no_such_routine(composer: &Composer, name: &str) -> Reply {
    composer.error(format!(
        "There is no routine called \"{}\". Use /routine with no name to see the list.",
        super::embeds::trim(name, 100)
    ))
}

pub fn failed(composer: &Composer) -> Reply {
    composer.error("Sorry, that didn't work on my side. Please try again in a moment.")
}
