//! `radius_auth`'s RADIUS flags: the server and its shared secret, and the attributes every
//! Access-Request carries (as rad_eap_test's `-N`, `-O`, `-C`, ... and eapol_test's `-N`).

use super::SetupError;
use clap::Args;
use eap::transport::RadiusConfig;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::time::Duration;

/// The server, how to reach it, and the shared secret.
#[derive(Args, Debug, Clone)]
pub struct ServerArgs {
    /// The RADIUS server, HOST:PORT (e.g. radius.example.org:1812).
    #[arg(long, help_heading = "Server")]
    pub server: String,
    /// The RADIUS shared secret. Visible in `ps`: prefer --secret-file or --secret-env.
    #[arg(long, help_heading = "Server", required_unless_present_any = ["secret_file", "secret_env"], conflicts_with_all = ["secret_file", "secret_env"])]
    pub secret: Option<String>,
    /// Read the shared secret from the first line of this file.
    #[arg(long, help_heading = "Server", conflicts_with = "secret_env")]
    pub secret_file: Option<std::path::PathBuf>,
    /// Read the shared secret from this environment variable.
    #[arg(long, help_heading = "Server")]
    pub secret_env: Option<String>,
    /// Use the server's IPv4 address only.
    #[arg(short = '4', help_heading = "Server", conflicts_with = "ipv6")]
    pub ipv4: bool,
    /// Use the server's IPv6 address only.
    #[arg(short = '6', help_heading = "Server")]
    pub ipv6: bool,
    /// Seconds (fractions allowed) before an unanswered Access-Request is sent again.
    #[arg(long, help_heading = "Server", default_value_t = 3.0)]
    pub retry_interval: f64,
    /// Access-Requests sent in all before giving up on a reply.
    #[arg(long, help_heading = "Server", default_value_t = 3)]
    pub attempts: u32,
}

/// What every Access-Request carries besides the EAP conversation.
#[derive(Args, Debug, Clone)]
pub struct AttributeArgs {
    /// NAS-IP-Address (an IPv6 address: NAS-IPv6-Address). Default: the address our
    /// socket sends from.
    #[arg(long, help_heading = "RADIUS attributes")]
    pub nas_ip: Option<IpAddr>,
    /// NAS-Identifier, e.g. the access point's name.
    #[arg(long, help_heading = "RADIUS attributes")]
    pub nas_identifier: Option<String>,
    /// Operator-Name (RFC 5580), e.g. example.org: sent as 1example.org (namespace 1, a
    /// realm); a value that starts with a digit is sent as given (its own namespace).
    #[arg(long, help_heading = "RADIUS attributes")]
    pub operator_name: Option<String>,
    /// Called-Station-Id, e.g. 02-00-00-00-00-02:eduroam (access point MAC and SSID).
    #[arg(long, help_heading = "RADIUS attributes")]
    pub called_station_id: Option<String>,
    /// Calling-Station-Id (the supplicant's MAC).
    #[arg(
        long,
        help_heading = "RADIUS attributes",
        default_value = "02-00-00-00-00-01"
    )]
    pub calling_station_id: String,
    /// Ask for the user's Chargeable-User-Identity (RFC 4372: sent with a NUL value) and
    /// print the one the server returns (`CUI=` line; "cui" in --json).
    #[arg(long, help_heading = "RADIUS attributes")]
    pub cui: bool,
    /// Connect-Info, e.g. "CONNECT 54Mbps 802.11g".
    #[arg(long, help_heading = "RADIUS attributes")]
    pub connect_info: Option<String>,
    /// Any attribute, TYPE=VALUE: a numeric type and a value that is 0xHEX, an integer, an
    /// IPv4 address or a string ("..." forces a string). Repeatable.
    #[arg(
        long = "attr",
        value_name = "TYPE=VALUE",
        help_heading = "RADIUS attributes"
    )]
    pub attributes: Vec<String>,
}

impl ServerArgs {
    /// The shared secret from --secret, --secret-file or --secret-env.
    pub fn secret(&self) -> Result<zeroize::Zeroizing<String>, SetupError> {
        let secret = if let Some(path) = &self.secret_file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                SetupError::config(format!("--secret-file {}: {e}", path.display()))
            })?;
            text.lines().next().unwrap_or("").to_owned()
        } else if let Some(var) = &self.secret_env {
            std::env::var(var)
                .map_err(|_| SetupError::config(format!("--secret-env: {var} is not set")))?
        } else {
            self.secret.clone().unwrap_or_default()
        };
        if secret.is_empty() {
            return Err(SetupError::config("the shared secret is empty".into()));
        }
        Ok(zeroize::Zeroizing::new(secret))
    }

    /// The server's address, of the family -4 / -6 ask for.
    pub fn address(&self) -> Result<SocketAddr, SetupError> {
        let unresolvable = |why: String| SetupError {
            code: "server_unresolvable",
            message: format!("--server {}: {why}", self.server),
            hint: "check the host name (DNS) and give HOST:PORT, e.g. radius.example.org:1812",
        };
        let addrs = self
            .server
            .to_socket_addrs()
            .map_err(|e| unresolvable(e.to_string()))?;
        let mut addrs =
            addrs.filter(|a| (!self.ipv4 || a.is_ipv4()) && (!self.ipv6 || a.is_ipv6()));
        addrs.next().ok_or_else(|| {
            unresolvable(match (self.ipv4, self.ipv6) {
                (true, _) => "no IPv4 address".into(),
                (_, true) => "no IPv6 address".into(),
                _ => "no address".into(),
            })
        })
    }
}

/// The RADIUS configuration these flags describe.
pub fn radius_config(
    server: &ServerArgs,
    attributes: &AttributeArgs,
) -> Result<RadiusConfig, SetupError> {
    let mut rc = RadiusConfig::new(server.address()?, server.secret()?.as_bytes());
    rc.retry_interval = Duration::try_from_secs_f64(server.retry_interval)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            SetupError::config("--retry-interval: a positive number of seconds".into())
        })?;
    rc.attempts = server.attempts.max(1);
    let a = attributes;
    rc.calling_station_id = a.calling_station_id.clone();
    rc.nas_ip = a.nas_ip;
    rc.nas_identifier = a.nas_identifier.clone();
    rc.operator_name = a.operator_name.as_ref().map(|n| {
        if n.starts_with(|c: char| c.is_ascii_digit()) {
            n.clone()
        } else {
            format!("1{n}")
        }
    });
    rc.called_station_id = a.called_station_id.clone();
    rc.connect_info = a.connect_info.clone();
    rc.request_cui = a.cui;
    for spec in &a.attributes {
        rc.attributes.push(
            RadiusConfig::parse_attribute(spec)
                .map_err(|e| SetupError::config(format!("--attr {e}")))?,
        );
    }
    Ok(rc)
}
