using Dashboard.Security;

namespace Dashboard.Tests.Security;

public sealed class UserStoreTests : IDisposable
{
    private readonly SecurityFixture _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Add_ValidUser_CanSignInAndIsAudited()
    {
        var added = _db.Users.Add("alice", UserRole.Operator, "correct horse", "admin");

        Assert.True(added.IsSuccess, added.Error);
        Assert.Equal(("alice", UserRole.Operator), (added.Value.Name, added.Value.Role));
        var check = _db.Users.VerifyPassword("alice", "correct horse");
        Assert.Equal(PasswordCheckStatus.Success, check.Status);
        Assert.Equal("alice", check.User!.Name);
        var entry = _db.AuditEntries(new AuditQuery { Action = AuditActions.UserAdd }).Single();
        Assert.Equal(("admin", "alice", """{"role":"Operator"}""", "Added"), (entry.Actor, entry.Target, entry.Parameters, entry.Result));
    }

    [Fact]
    public void Add_Password_StoredOnlyAsAspNetCoreHash()
    {
        _db.Users.Add("alice", UserRole.Viewer, "correct horse", "admin");

        using var connection = _db.Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT PasswordHash FROM AspNetUsers WHERE UserName = 'alice';";
        var hash = (string)command.ExecuteScalar()!;
        Assert.DoesNotContain("correct horse", hash, StringComparison.Ordinal);
        // Format marker 0x01 is PasswordHasher's V3 (PBKDF2 with salt).
        Assert.Equal(0x01, Convert.FromBase64String(hash)[0]);
    }

    [Theory]
    [InlineData("", "User name is empty")]
    [InlineData("a\u0007b", "User name contains a control character")]
    [InlineData(" bob", "User name starts or ends with a space")]
    [InlineData("key:bob", "User name contains ':'")]
    [InlineData("System", "User name \"System\" is reserved")]
    [InlineData("anonymous", "User name \"anonymous\" is reserved")]
    public void Add_BadName_FailsWithMessage(string name, string message)
    {
        var added = _db.Users.Add(name, UserRole.Viewer, "long enough", "admin");

        Assert.Equal(message, added.Error);
        Assert.Empty(_db.Users.List());
    }

    [Fact]
    public void Add_NameTooLong_FailsWithMessage()
    {
        Assert.Equal("User name is longer than 64 characters", _db.Users.Add(new string('a', 65), UserRole.Viewer, "long enough", "admin").Error);
        Assert.True(_db.Users.Add(new string('a', 64), UserRole.Viewer, "long enough", "admin").IsSuccess);
    }

    [Theory]
    [InlineData("short", "The password must have at least 8 characters")]
    [InlineData("", "The password must have at least 8 characters")]
    public void Add_BadPassword_FailsWithMessage(string password, string message) =>
        Assert.Equal(message, _db.Users.Add("alice", UserRole.Viewer, password, "admin").Error);

    [Fact]
    public void Add_UnknownRole_FailsWithMessage() =>
        Assert.Equal("Unknown role 7: Viewer, Operator or Admin", _db.Users.Add("alice", (UserRole)7, "long enough", "admin").Error);

    [Fact]
    public void Add_SameNameOtherCase_Fails()
    {
        _db.Users.Add("alice", UserRole.Viewer, "long enough", "admin");

        Assert.Equal("A user named \"Alice\" already exists", _db.Users.Add("Alice", UserRole.Admin, "long enough", "admin").Error);
    }

    [Fact]
    public void FindAndList_ReturnUsersByName()
    {
        _db.Users.Add("carol", UserRole.Viewer, "long enough", "admin");
        _db.Users.Add("bob", UserRole.Admin, "long enough", "admin");

        Assert.Equal(["bob", "carol"], _db.Users.List().Select(u => u.Name));
        Assert.Equal(UserRole.Admin, _db.Users.Find("BOB")!.Role);
        Assert.Null(_db.Users.Find("dave"));
    }

    [Fact]
    public void VerifyPassword_WrongPassword_FailsAndIsAudited()
    {
        _db.Users.Add("alice", UserRole.Viewer, "correct horse", "admin");

        var check = _db.Users.VerifyPassword("alice", "wrong horse");

        Assert.Equal((PasswordCheckStatus.Failed, null), (check.Status, check.User));
        Assert.Equal("Wrong user name or password", check.Message);
        var entry = _db.AuditEntries(new AuditQuery { Action = AuditActions.SignIn }).Single();
        Assert.Equal(("alice", "alice", "Failed"), (entry.Actor, entry.Target, entry.Result));
    }

    [Fact]
    public void VerifyPassword_RecordsTheAddressInTheAuditEntry()
    {
        _db.Users.Add("alice", UserRole.Viewer, "correct horse", "admin");

        _db.Users.VerifyPassword("alice", "correct horse", "198.51.100.9");
        _db.Users.VerifyPassword("alice", "wrong horse", "2001:db8::7");

        var entries = _db.AuditEntries(new AuditQuery { Action = AuditActions.SignIn });
        Assert.Equal(["""{"address":"2001:db8::7"}""", """{"address":"198.51.100.9"}"""], entries.Select(e => e.Parameters));
    }

    [Fact]
    public void VerifyPassword_UnknownUser_FailsLikeWrongPassword()
    {
        var check = _db.Users.VerifyPassword("nobody", "whatever1");

        Assert.Equal(PasswordCheckStatus.Failed, check.Status);
        Assert.Equal("Wrong user name or password", check.Message);
        Assert.Equal("Failed", _db.AuditEntries().Single().Result);
    }

    [Fact]
    public void VerifyPassword_MalformedName_AuditedAsAnonymous()
    {
        _db.Users.VerifyPassword("key:backup", "whatever1");

        var entry = _db.AuditEntries().Single();
        Assert.Equal((AuditActors.Anonymous, "key:backup"), (entry.Actor, entry.Target));
    }

    [Fact]
    public void VerifyPassword_FiveFailuresFromOneAddress_ThatAddressWaitsAMinute_AnotherSignsIn()
    {
        _db.Users.Add("alice", UserRole.Viewer, "correct horse", "admin");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(PasswordCheckStatus.Failed, _db.Users.VerifyPassword("alice", "wrong", "203.0.113.7").Status);
        }

        var waiting = _db.Users.VerifyPassword("alice", "correct horse", "203.0.113.7");
        Assert.Equal(PasswordCheckStatus.LockedOut, waiting.Status);
        Assert.Equal(_db.Time.GetUtcNow().AddMinutes(1), waiting.LockedUntil);
        Assert.Equal("Too many failed sign-ins from your address: try again after 12:01:00 UTC", waiting.Message);
        Assert.Equal(_db.Time.GetUtcNow().AddMinutes(1), _db.Users.Find("alice")!.LockedUntil);
        // A stranger's failures do not lock the real user out.
        Assert.Equal(PasswordCheckStatus.Success, _db.Users.VerifyPassword("alice", "correct horse", "198.51.100.2").Status);
        Assert.Equal(["Success", "Refused: too many failures from this address", "Failed; this address waits until 2025-03-01T12:01:00Z"],
            _db.AuditEntries(new AuditQuery { Action = AuditActions.SignIn }).Take(3).Select(e => e.Result));
    }

    [Fact]
    public void VerifyPassword_UnknownName_AnsweredExactlyAsAKnownOne()
    {
        _db.Users.Add("alice", UserRole.Viewer, "correct horse", "admin");
        for (var i = 0; i < 7; i++)
        {
            var known = _db.Users.VerifyPassword("alice", "wrong", "203.0.113.7");
            var unknown = _db.Users.VerifyPassword("nobody", "wrong", "203.0.113.7");
            Assert.Equal((known.Status, known.Message, known.LockedUntil), (unknown.Status, unknown.Message, unknown.LockedUntil));
        }
        Assert.Equal(PasswordCheckStatus.LockedOut, _db.Users.VerifyPassword("nobody", "wrong", "203.0.113.7").Status);
    }

    [Fact]
    public void VerifyPassword_EachFurtherWait_TwiceAsLong_UpToFifteenMinutes()
    {
        _db.Users.Add("alice", UserRole.Viewer, "correct horse", "admin");
        var waits = new List<TimeSpan>();
        for (var round = 0; round < 6; round++)
        {
            for (var i = 0; i < 5; i++)
            {
                _db.Users.VerifyPassword("alice", "wrong", "203.0.113.7");
            }
            var until = _db.Users.VerifyPassword("alice", "wrong", "203.0.113.7").LockedUntil!.Value;
            waits.Add(until - _db.Time.GetUtcNow());
            _db.Time.Advance(until - _db.Time.GetUtcNow());
        }

        Assert.Equal([1, 2, 4, 8, 15, 15], waits.Select(w => w.TotalMinutes));
    }

    [Fact]
    public void VerifyPassword_AfterTheWait_RightPasswordSucceeds()
    {
        _db.Users.Add("alice", UserRole.Viewer, "correct horse", "admin");
        for (var i = 0; i < 5; i++)
        {
            _db.Users.VerifyPassword("alice", "wrong");
        }

        _db.Time.Advance(TimeSpan.FromMinutes(1));

        Assert.Null(_db.Users.Find("alice")!.LockedUntil);
        Assert.Equal(PasswordCheckStatus.Success, _db.Users.VerifyPassword("alice", "correct horse").Status);
    }

    [Fact]
    public void VerifyPassword_SuccessBetweenFailures_ResetsTheCount()
    {
        _db.Users.Add("alice", UserRole.Viewer, "correct horse", "admin");
        for (var i = 0; i < 4; i++)
        {
            _db.Users.VerifyPassword("alice", "wrong");
        }

        _db.Users.VerifyPassword("alice", "correct horse");
        for (var i = 0; i < 4; i++)
        {
            _db.Users.VerifyPassword("alice", "wrong");
        }

        Assert.Equal(PasswordCheckStatus.Success, _db.Users.VerifyPassword("alice", "correct horse").Status);
    }

    [Fact]
    public async Task VerifyPassword_ParallelWrongGuesses_CountEveryFailure()
    {
        _db.Users.Add("alice", UserRole.Viewer, "correct horse", "admin");

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => _db.Users.VerifyPassword("alice", "wrong"), TestContext.Current.CancellationToken)));

        Assert.Equal(PasswordCheckStatus.LockedOut, _db.Users.VerifyPassword("alice", "correct horse").Status);
    }

    [Fact]
    public void VerifyPassword_DefaultHasherSettings_Works()
    {
        // The production hasher (100,000 PBKDF2 iterations), not the fast one the other tests use.
        var users = new UserStore(_db.Database, _db.Audit, _db.Time);
        users.Add("alice", UserRole.Viewer, "correct horse", "admin");

        Assert.Equal(PasswordCheckStatus.Success, users.VerifyPassword("alice", "correct horse").Status);
        Assert.Equal(PasswordCheckStatus.Failed, users.VerifyPassword("alice", "correct horsE").Status);
    }

    [Fact]
    public void ChangeRole_ChangesRoleAndStamp()
    {
        var before = _db.Users.Add("alice", UserRole.Viewer, "long enough", "admin").Value;

        var after = _db.Users.ChangeRole("alice", UserRole.Operator, "admin");

        Assert.Equal(UserRole.Operator, after.Value.Role);
        Assert.NotEqual(before.SecurityStamp, after.Value.SecurityStamp);
        Assert.Equal("""{"from":"Viewer","to":"Operator"}""", _db.AuditEntries(new AuditQuery { Action = AuditActions.UserRole }).Single().Parameters);
    }

    [Fact]
    public void ChangeRole_LastAdmin_Refused()
    {
        _db.Users.Add("root", UserRole.Admin, "long enough", "system");

        Assert.Equal("\"root\" is the last Admin: make another user Admin first", _db.Users.ChangeRole("root", UserRole.Viewer, "root").Error);
        Assert.Equal(UserRole.Admin, _db.Users.Find("root")!.Role);
    }

    [Fact]
    public void ChangeRole_UnknownUser_FailsWithMessage() =>
        Assert.Equal("No user named \"nobody\"", _db.Users.ChangeRole("nobody", UserRole.Admin, "admin").Error);

    [Fact]
    public void ResetPassword_SetsNewPasswordAndLiftsLockout()
    {
        _db.Users.Add("alice", UserRole.Viewer, "correct horse", "admin");
        for (var i = 0; i < 5; i++)
        {
            _db.Users.VerifyPassword("alice", "wrong");
        }

        var reset = _db.Users.ResetPassword("alice", "battery staple", "admin");

        Assert.True(reset.IsSuccess, reset.Error);
        Assert.Equal(PasswordCheckStatus.Success, _db.Users.VerifyPassword("alice", "battery staple").Status);
        Assert.Equal(PasswordCheckStatus.Failed, _db.Users.VerifyPassword("alice", "correct horse").Status);
        Assert.Equal("admin", _db.AuditEntries(new AuditQuery { Action = AuditActions.UserResetPassword }).Single().Actor);
    }

    [Fact]
    public void ResetPassword_TooShort_FailsAndKeepsOldPassword()
    {
        _db.Users.Add("alice", UserRole.Viewer, "correct horse", "admin");

        Assert.Equal("The password must have at least 8 characters", _db.Users.ResetPassword("alice", "short", "admin").Error);
        Assert.Equal(PasswordCheckStatus.Success, _db.Users.VerifyPassword("alice", "correct horse").Status);
    }

    [Fact]
    public void ChangeOwnPassword_RightCurrentPassword_Changes()
    {
        _db.Users.Add("alice", UserRole.Viewer, "correct horse", "admin");

        var changed = _db.Users.ChangeOwnPassword("alice", "correct horse", "battery staple");

        Assert.True(changed.IsSuccess, changed.Error);
        Assert.Equal(PasswordCheckStatus.Success, _db.Users.VerifyPassword("alice", "battery staple").Status);
        var entry = _db.AuditEntries(new AuditQuery { Action = AuditActions.UserChangePassword }).Single();
        Assert.Equal(("alice", "Changed"), (entry.Actor, entry.Result));
    }

    [Fact]
    public void ChangeOwnPassword_WrongCurrentPassword_RefusedAndCountsTowardLockout()
    {
        _db.Users.Add("alice", UserRole.Viewer, "correct horse", "admin");

        Assert.Equal("The current password is wrong", _db.Users.ChangeOwnPassword("alice", "wrong", "battery staple").Error);
        Assert.Equal(("alice", "Failed"), _db.AuditEntries(new AuditQuery { Action = AuditActions.UserChangePassword }).Select(e => (e.Actor, e.Result)).Single());
        for (var i = 0; i < 4; i++)
        {
            _db.Users.ChangeOwnPassword("alice", "wrong", "battery staple");
        }

        Assert.Equal(PasswordCheckStatus.LockedOut, _db.Users.VerifyPassword("alice", "correct horse").Status);
        Assert.StartsWith("Too many failed sign-ins", _db.Users.ChangeOwnPassword("alice", "correct horse", "battery staple").Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Delete_RemovesUser()
    {
        _db.Users.Add("alice", UserRole.Viewer, "correct horse", "admin");

        Assert.True(_db.Users.Delete("alice", "admin").IsSuccess);

        Assert.Null(_db.Users.Find("alice"));
        Assert.Equal(PasswordCheckStatus.Failed, _db.Users.VerifyPassword("alice", "correct horse").Status);
        Assert.Equal("No user named \"alice\"", _db.Users.Delete("alice", "admin").Error);
    }

    [Fact]
    public void Delete_LastAdmin_Refused()
    {
        _db.Users.Add("root", UserRole.Admin, "long enough", "system");

        Assert.Equal("\"root\" is the last Admin and cannot be deleted", _db.Users.Delete("root", "root").Error);

        _db.Users.Add("second", UserRole.Admin, "long enough", "root");
        Assert.True(_db.Users.Delete("root", "second").IsSuccess);
    }
}
