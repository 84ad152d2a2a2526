//! A moto server (the AWS API emulator) for tests that run AWS CLI commands against it: the
//! multi-account bootstrap (tests/account_rules.rs) and the rotation event pattern
//! (tests/terraform_runs.rs).

/// A moto server (AWS emulator) on a free port, stopped on drop.
pub struct Moto {
    child: std::process::Child,
    /// The endpoint, for `AWS_ENDPOINT_URL`.
    pub url: String,
    /// The moto_server executable; its virtualenv also holds botocore.
    pub server: std::path::PathBuf,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The moto server and AWS CLI, when installed: `TGFORGE_MOTO_SERVER` or the usual venv.
/// With `TGFORGE_REQUIRE_MOTO=1` (CI) a missing one fails the test instead of skipping it.
pub fn start_moto() -> Option<Moto> {
    let server = std::env::var("TGFORGE_MOTO_SERVER")
        .unwrap_or_else(|_| "/root/.cache/tgforge-moto-venv/bin/moto_server".into());
    let aws_cli = std::process::Command::new("aws").arg("--version").output();
    if !std::path::Path::new(&server).exists() || aws_cli.is_err() {
        assert!(
            std::env::var_os("TGFORGE_REQUIRE_MOTO").is_none(),
            "moto_server ({server}) and the aws CLI are required"
        );
        eprintln!("skipped: moto_server ({server}) or the aws CLI is not installed");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(&server)
        .args(["-p", &port.to_string()])
        // AWS managed policies (ReadOnlyAccess) exist in every real account.
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let moto = Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
        server: server.into(),
    };
    // moto imports every service at start: allow a minute on a busy 2-core machine.
    for _ in 0..600 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(moto);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("moto did not start on port {port}");
}

impl Moto {
    /// The Python of moto's virtualenv (it has botocore, the AWS SDK's service models).
    pub fn python(&self) -> std::path::PathBuf {
        self.server.with_file_name("python")
    }
}
