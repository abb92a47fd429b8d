//! The ceiling the benchmark measures newsdesk against: the least an
//! actix-web + SQLite service can do per request, reading one article row
//! by primary key through the same kind of r2d2 pool and `web::block`, from
//! the same database file. `bench-ceiling DB ADDRESS`.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a benchmark tool stops loudly"
)]

use actix_web::{App, HttpResponse, HttpServer, web};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Text};
use serde::Serialize;

#[derive(QueryableByName, Serialize)]
struct Row {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    slug: String,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Nullable<Text>)]
    summary: Option<String>,
    #[diesel(sql_type = Text)]
    body: String,
}

async fn article(pool: web::Data<newsdesk::db::DbPool>, id: web::Path<i32>) -> HttpResponse {
    let pool = pool.clone();
    let id = id.into_inner();
    let row = web::block(move || {
        let mut conn = pool.get().expect("connection");
        diesel::sql_query(
            "SELECT a.id, a.slug, a.title, a.summary, b.body FROM articles a \
             JOIN article_bodies b ON b.article_id = a.id WHERE a.id = ?",
        )
        .bind::<Integer, _>(id)
        .get_result::<Row>(&mut conn)
        .optional()
    })
    .await;
    match row {
        Ok(Ok(Some(row))) => HttpResponse::Ok().json(row),
        Ok(Ok(None)) => HttpResponse::NotFound().finish(),
        _ => HttpResponse::InternalServerError().finish(),
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, db, address, ..] = args.as_slice() else {
        eprintln!("usage: bench-ceiling DB ADDRESS");
        std::process::exit(2);
    };
    let pool = web::Data::new(newsdesk::db::connect(db, 8).expect("database"));
    actix_web::rt::System::new().block_on(
        HttpServer::new(move || {
            App::new()
                .app_data(pool.clone())
                .route("/articles/{id}", web::get().to(article))
        })
        .bind(address.as_str())?
        .run(),
    )
}
