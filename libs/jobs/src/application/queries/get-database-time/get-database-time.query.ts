import { Query } from '@nestjs/cqrs';

/** The database clock: decisions made in the application (cron slots) use it, never the app's clock. */
export class GetDatabaseTimeQuery extends Query<Date> {}
