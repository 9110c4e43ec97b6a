package dev.tokenauthority.cli;

import static dev.tokenauthority.cli.Output.time;

import dev.tokenauthority.cli.Output.Column;
import dev.tokenauthority.v1.Account;
import dev.tokenauthority.v1.CreateTenantRequest;
import dev.tokenauthority.v1.CreateTenantResponse;
import dev.tokenauthority.v1.CreateUserRequest;
import dev.tokenauthority.v1.Module;
import dev.tokenauthority.v1.Record;
import dev.tokenauthority.v1.Tenant;
import dev.tokenauthority.v1.User;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ta directory ...}: the tenants, users, records, accounts and modules tokens refer to. */
@Command(name = "directory", mixinStandardHelpOptions = true,
    description = "Directory admin: create tenants, users, records, accounts and modules.",
    subcommands = {DirectoryCommands.Tenants.class, DirectoryCommands.Users.class, DirectoryCommands.Records.class,
        DirectoryCommands.Accounts.class, DirectoryCommands.Modules.class})
final class DirectoryCommands extends Group {

  @Command(name = "tenant", mixinStandardHelpOptions = true, description = "Tenants (authority admin: scope tenants:write).")
  static final class Tenants extends Group {
    @Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create a tenant with its admin user; prints the admin token's secret once.")
    int create(@Option(names = "--name", required = true) String name,
        @Option(names = "--admin-email", required = true) String adminEmail) {
      CreateTenantResponse r = client().createTenant(CreateTenantRequest.newBuilder()
          .setTenant(Tenant.newBuilder().setName(name)).setAdminEmail(adminEmail).build());
      output().print(r, List.of(r), List.of(
          new Column<>("TENANT", x -> x.getTenant().getId()),
          new Column<>("NAME", x -> x.getTenant().getName()),
          new Column<>("ADMIN-USER", x -> x.getAdminUser().getId()),
          new Column<>("ADMIN-EMAIL", x -> x.getAdminUser().getEmail()),
          new Column<>("ADMIN-TOKEN", x -> x.getAdminToken().getId())));
      if (r.getAdminToken().hasToken()) {
        output().note("");
        output().note("admin token secret (shown only now; store it): " + r.getAdminToken().getToken());
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "user", mixinStandardHelpOptions = true, description = "Users of the caller's tenant.")
  static final class Users extends Group {
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a user.")
    int create(@Option(names = "--email", required = true) String email,
        @Option(names = "--first-name") String firstName,
        @Option(names = "--last-name") String lastName,
        @Option(names = "--scope", split = ",", paramLabel = "SCOPE", description = "Scopes the user holds (at most the caller's).")
        List<String> scopes) {
      User.Builder user = User.newBuilder().setEmail(email);
      if (firstName != null) {
        user.setFirstName(firstName);
      }
      if (lastName != null) {
        user.setLastName(lastName);
      }
      CreateUserRequest.Builder request = CreateUserRequest.newBuilder().setUser(user);
      if (scopes != null) {
        request.addAllScopes(scopes);
      }
      User created = client().createUser(request.build());
      output().print(created, List.of(created), List.of(
          new Column<>("ID", User::getId),
          new Column<>("EMAIL", User::getEmail),
          new Column<>("NAME", u -> (u.getFirstName() + " " + u.getLastName()).trim()),
          new Column<>("CREATED", u -> time(u.getCreatedOn()))));
      return ExitCodes.OK;
    }
  }

  @Command(name = "record", mixinStandardHelpOptions = true, description = "Records (what record tokens grant).")
  static final class Records extends Group {
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a record.")
    int create(@Option(names = "--id", required = true) String id, @Option(names = "--title") String title) {
      Record.Builder record = Record.newBuilder().setId(id);
      if (title != null) {
        record.setTitle(title);
      }
      Record created = client().createRecord(record.build());
      output().print(created, List.of(created), List.of(
          new Column<>("ID", Record::getId),
          new Column<>("TITLE", Record::getTitle),
          new Column<>("CREATED", r -> time(r.getCreateTime()))));
      return ExitCodes.OK;
    }
  }

  @Command(name = "account", mixinStandardHelpOptions = true, description = "Accounts (what account API tokens belong to).")
  static final class Accounts extends Group {
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an account.")
    int create(@Option(names = "--id", required = true) String id, @Option(names = "--name", required = true) String name,
        @Option(names = "--type") String type, @Option(names = "--icon") String icon) {
      Account.Builder account = Account.newBuilder().setId(id).setName(name);
      if (type != null) {
        account.setType(type);
      }
      if (icon != null) {
        account.setIcon(icon);
      }
      Account created = client().createAccount(account.build());
      output().print(created, List.of(created), List.of(
          new Column<>("ID", Account::getId),
          new Column<>("NAME", Account::getName),
          new Column<>("TYPE", Account::getType),
          new Column<>("STATUS", Account::getStatus)));
      return ExitCodes.OK;
    }
  }

  @Command(name = "module", mixinStandardHelpOptions = true, description = "Modules (what account API tokens grant).")
  static final class Modules extends Group {
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a module.")
    int create(@Option(names = "--id", required = true) String id, @Option(names = "--name", required = true) String name,
        @Option(names = "--description") String description) {
      Module.Builder module = Module.newBuilder().setId(id).setName(name);
      if (description != null) {
        module.setDescription(description);
      }
      Module created = client().createModule(module.build());
      output().print(created, List.of(created), List.of(
          new Column<>("ID", Module::getId),
          new Column<>("NAME", Module::getName),
          new Column<>("DESCRIPTION", Module::getDescription)));
      return ExitCodes.OK;
    }
  }
}
