//! The git processes `affected` starts: one-shot commands, and two long-running sessions that
//! answer many questions each over their standard input (`git cat-file --batch` for objects
//! of the base revision, `git check-ignore --stdin` for untracked files).
//! Starting git costs a few milliseconds of CPU each time, more than most of what it is asked.

use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use crate::Failure;

pub enum GitError {
    Spawn(String),
    Failed(String),
}

/// Starts git in `cwd` (its output is collected by [`finish`]).
pub fn spawn(cwd: &Path, args: &[&str]) -> Result<Child, GitError> {
    command(cwd, args)
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| GitError::Spawn(e.to_string()))
}

fn command(cwd: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(cwd)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Waits for a git process; its standard output, or why it failed.
pub fn finish(child: Result<Child, GitError>) -> Result<Vec<u8>, GitError> {
    let output = child?
        .wait_with_output()
        .map_err(|e| GitError::Spawn(e.to_string()))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(GitError::Failed(
            String::from_utf8_lossy(&output.stderr).trim().to_string(),
        ))
    }
}

/// Runs git in `cwd` and returns its standard output.
pub fn git(cwd: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    finish(spawn(cwd, args))
}

pub fn git_failure(what: &str, e: GitError) -> Failure {
    match e {
        GitError::Spawn(e) => Failure::InvalidInput(format!(
            "error: cannot run git ({e})\nhint: `tgforge affected --base` needs the git command on PATH"
        )),
        GitError::Failed(stderr) => {
            Failure::InvalidInput(format!("error: git failed while {what}: {stderr}"))
        }
    }
}

/// A git process answering questions written to its standard input, in order.
struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Session {
    fn start(cwd: &Path, args: &[&str]) -> Result<Session, GitError> {
        let mut child = command(cwd, args)
            .stdin(Stdio::piped())
            .spawn()
            .map_err(|e| GitError::Spawn(e.to_string()))?;
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("a piped stdout"));
        Ok(Session {
            child,
            stdin,
            stdout,
        })
    }

    /// Writes every question (each followed by `end`) while reading the answers with
    /// `answer`, one call per question. A batch that fits in a pipe's smallest buffer (one
    /// page) is written at once; a larger one on another thread, or it could fill both
    /// pipes and block both processes.
    fn exchange<T>(
        &mut self,
        questions: &[String],
        end: u8,
        mut answer: impl FnMut(&mut BufReader<ChildStdout>) -> std::io::Result<T>,
    ) -> Result<Vec<T>, GitError> {
        let Some(stdin) = self.stdin.as_mut() else {
            return Err(self.failure());
        };
        let write = move |stdin: &mut ChildStdin| {
            let mut out = BufWriter::new(stdin);
            for question in questions {
                out.write_all(question.as_bytes())?;
                out.write_all(&[end])?;
            }
            out.flush()
        };
        let size: usize = questions.iter().map(|q| q.len() + 1).sum();
        let stdout = &mut self.stdout;
        let mut read_all =
            || -> std::io::Result<Vec<T>> { questions.iter().map(|_| answer(stdout)).collect() };
        let answers = if size <= 4096 {
            write(stdin).and_then(|()| read_all())
        } else {
            std::thread::scope(|scope| {
                let writer = scope.spawn(move || write(stdin));
                let answers = read_all();
                let written = writer.join().expect("the writer thread does not panic");
                written.and(answers)
            })
        };
        answers.map_err(|_| self.failure())
    }

    /// Why the process stopped answering (it exited: a bad repository, for instance).
    fn failure(&mut self) -> GitError {
        drop(self.stdin.take());
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        let _ = self.child.wait();
        GitError::Failed(stderr.trim().to_string())
    }

    /// Ends the session; `git` must exit with one of `codes`.
    fn close(mut self, codes: &[i32]) -> Result<(), GitError> {
        drop(self.stdin.take());
        let status = self
            .child
            .wait()
            .map_err(|e| GitError::Spawn(e.to_string()))?;
        if status.code().is_some_and(|c| codes.contains(&c)) {
            Ok(())
        } else {
            Err(self.failure())
        }
    }
}

/// A session dropped early (the caller needs `git diff` after all) still leaves no zombie.
impl Drop for Session {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// One object, as `git cat-file --batch` gives it.
#[derive(Debug, Clone)]
pub struct Object {
    pub id: String,
    pub kind: String,
    pub data: Vec<u8>,
}

/// `git cat-file --batch` in the repository's top folder: objects by name (`REV^{commit}`,
/// `COMMIT:path`, a bare object id).
pub struct Objects(Session);

impl Objects {
    pub fn start(top: &Path) -> Result<Objects, GitError> {
        Session::start(top, &["cat-file", "--batch"]).map(Objects)
    }

    /// The object each name names, `None` where there is none. Names hold no newline.
    pub fn get(&mut self, names: &[String]) -> Result<Vec<Option<Object>>, GitError> {
        self.0.exchange(names, b'\n', read_object)
    }

    pub fn close(self) -> Result<(), GitError> {
        self.0.close(&[0])
    }
}

/// Reads one answer of `cat-file --batch`: `<id> <kind> <size>\n<data>\n`, or
/// `<name> missing\n` (or `ambiguous`).
fn read_object(out: &mut BufReader<ChildStdout>) -> std::io::Result<Option<Object>> {
    let mut header = Vec::new();
    if out.read_until(b'\n', &mut header)? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let header = String::from_utf8_lossy(&header);
    let fields: Vec<&str> = header.trim_end_matches('\n').split(' ').collect();
    let size = match fields.as_slice() {
        [id, _, size] if id.bytes().all(|b| b.is_ascii_hexdigit()) => size.parse::<usize>().ok(),
        _ => None,
    };
    let Some(size) = size else {
        return Ok(None);
    };
    let mut data = vec![0; size + 1];
    out.read_exact(&mut data)?;
    data.pop();
    Ok(Some(Object {
        id: fields[0].to_string(),
        kind: fields[1].to_string(),
        data,
    }))
}

/// `git check-ignore --stdin` in the repository's top folder: whether untracked paths are
/// ignored (`.gitignore` files, `.git/info/exclude`, `core.excludesFile`), by git's own rules.
pub struct IgnoreRules(Session);

impl IgnoreRules {
    pub fn start(top: &Path) -> Result<IgnoreRules, GitError> {
        Session::start(
            top,
            &[
                "check-ignore",
                "--stdin",
                "-z",
                "--verbose",
                "--non-matching",
            ],
        )
        .map(IgnoreRules)
    }

    /// For each path (relative to the top folder, no NUL), whether git ignores it. Paths in
    /// the index are never ignored.
    pub fn ignored(&mut self, paths: &[String]) -> Result<Vec<bool>, GitError> {
        self.0.exchange(paths, 0, |out| {
            // Four fields: the source of the matching pattern (empty when none), its line,
            // the pattern, the path. A negated pattern (`!x`) matches to un-ignore.
            let mut fields = Vec::with_capacity(4);
            for _ in 0..4 {
                let mut field = Vec::new();
                if out.read_until(0, &mut field)? == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                field.pop();
                fields.push(field);
            }
            Ok(!fields[0].is_empty() && !fields[2].starts_with(b"!"))
        })
    }

    /// Ends the session (git exits with 1 when it ignored none of the paths).
    pub fn close(self) -> Result<(), GitError> {
        self.0.close(&[0, 1])
    }
}
