//! 单元网格 (GB/T 30428.1): the city's grid cells, each a polygon with its code, street and
//! community, read from GeoJSON or WKT; a reported point (lon, lat) is located to its cell.
//! Coordinates are degrees as the surveyors give them, read and compared as exact decimals.

use rust_decimal::Decimal;
use serde_json::Value;

use crate::error::DomainError;

/// A point: (lon, lat) in degrees.
pub type Point = (Decimal, Decimal);

/// A ring of points, closed or not.
pub type Ring = Vec<Point>;

/// Past this many vertices a cell is refused: a cell is a few streets, not a coastline.
pub const MAX_VERTICES: usize = 20_000;

/// A polygon: its outer ring and holes.
#[derive(Debug, Clone, PartialEq)]
pub struct Polygon {
    pub outer: Ring,
    pub holes: Vec<Ring>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GridCell {
    /// The cell's code, e.g. 41010300101 (the district's 6 digits, street 3, cell 2…).
    pub code: String,
    pub name: String,
    pub street: String,
    pub community: String,
    pub shape: Vec<Polygon>,
}

fn bad(what: &str) -> DomainError {
    DomainError::Invalid(format!("网格边界：{what}"))
}

fn degrees(v: &Value) -> Option<Decimal> {
    let text = v.as_number()?.to_string();
    text.parse::<Decimal>().ok().or_else(|| Decimal::from_scientific(&text).ok())
}

/// A longitude and latitude checked to lie on the globe.
pub fn point(lon: Decimal, lat: Decimal) -> Result<Point, DomainError> {
    let limit = |d: i64| Decimal::from(-d)..=Decimal::from(d);
    if limit(180).contains(&lon) && limit(90).contains(&lat) {
        Ok((lon, lat))
    } else {
        Err(bad(&format!("坐标（{lon}, {lat}）不是有效的经纬度")))
    }
}

fn position(v: &Value) -> Result<Point, DomainError> {
    let pair = v.as_array().filter(|a| a.len() >= 2).ok_or_else(|| bad("坐标应为 [经度, 纬度]"))?;
    match (degrees(&pair[0]), degrees(&pair[1])) {
        (Some(lon), Some(lat)) => point(lon, lat),
        _ => Err(bad(&format!("坐标 {v} 不是有效的经纬度"))),
    }
}

fn ring(v: &Value) -> Result<Ring, DomainError> {
    let points = v.as_array().ok_or_else(|| bad("环应为坐标数组"))?;
    if points.len() < 3 {
        return Err(bad("一个环至少三个点"));
    }
    points.iter().map(position).collect()
}

fn polygon(v: &Value) -> Result<Polygon, DomainError> {
    let rings = v.as_array().filter(|r| !r.is_empty()).ok_or_else(|| bad("多边形应为环的数组"))?;
    Ok(Polygon { outer: ring(&rings[0])?, holes: rings[1..].iter().map(ring).collect::<Result<_, _>>()? })
}

fn vertices(shape: &[Polygon]) -> usize {
    shape.iter().map(|p| p.outer.len() + p.holes.iter().map(Vec::len).sum::<usize>()).sum()
}

fn checked(shape: Vec<Polygon>) -> Result<Vec<Polygon>, DomainError> {
    if vertices(&shape) > MAX_VERTICES {
        return Err(bad(&format!("顶点超过{MAX_VERTICES}个")));
    }
    Ok(shape)
}

/// A GeoJSON geometry (Polygon or MultiPolygon), or a Feature holding one.
pub fn shape_from_geojson(v: &Value) -> Result<Vec<Polygon>, DomainError> {
    let geometry = if v["type"] == "Feature" { &v["geometry"] } else { v };
    let coordinates = &geometry["coordinates"];
    let shape = match geometry["type"].as_str() {
        Some("Polygon") => vec![polygon(coordinates)?],
        Some("MultiPolygon") => coordinates
            .as_array()
            .ok_or_else(|| bad("MultiPolygon 应为多边形的数组"))?
            .iter()
            .map(polygon)
            .collect::<Result<_, _>>()?,
        other => return Err(bad(&format!("几何类型应为 Polygon 或 MultiPolygon，而不是{other:?}"))),
    };
    checked(shape)
}

/// A GeoJSON text (a geometry or a Feature), as cells are kept and files carry them.
pub fn shape_from_geojson_text(text: &str) -> Result<Vec<Polygon>, DomainError> {
    let v: Value = serde_json::from_str(text).map_err(|e| bad(&format!("GeoJSON 无法读取：{e}")))?;
    shape_from_geojson(&v)
}

/// Grid cells from a GeoJSON FeatureCollection, each feature's properties naming its `code`,
/// `name`, `street` (the street's unit code) and `community`; a bad feature is named by its
/// number and code.
pub fn cells_from_geojson_text(text: &str) -> Result<Vec<GridCell>, DomainError> {
    let v: Value = serde_json::from_str(text).map_err(|e| bad(&format!("GeoJSON 无法读取：{e}")))?;
    let features = v["features"].as_array().ok_or_else(|| bad("应为 FeatureCollection（含 features 数组）"))?;
    features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let p = &f["properties"];
            let text = |key: &str| p[key].as_str().map(str::trim).unwrap_or_default().to_string();
            let code = text("code");
            let at = |what: String| DomainError::Invalid(format!("第{}个要素（{code}）：{what}", i + 1));
            if code.is_empty() || text("street").is_empty() {
                return Err(at("属性 code 与 street 不能为空".into()));
            }
            let shape = shape_from_geojson(f).map_err(|e| at(e.to_string()))?;
            Ok(GridCell { name: text("name"), street: text("street"), community: text("community"), shape, code })
        })
        .collect()
}

/// A shape as GeoJSON (a MultiPolygon, degrees written exactly as read), how cells are kept
/// whichever way they came in.
pub fn shape_to_geojson(shape: &[Polygon]) -> String {
    let ring = |r: &Ring| {
        let points: Vec<String> = r.iter().map(|(x, y)| format!("[{x},{y}]")).collect();
        format!("[{}]", points.join(","))
    };
    let polygons: Vec<String> = shape
        .iter()
        .map(|p| {
            let rings: Vec<String> = std::iter::once(&p.outer).chain(&p.holes).map(ring).collect();
            format!("[{}]", rings.join(","))
        })
        .collect();
    format!("{{\"type\":\"MultiPolygon\",\"coordinates\":[{}]}}", polygons.join(","))
}

/// A WKT `POLYGON ((…), (…))` or `MULTIPOLYGON (((…)), ((…)))`, as GIS tools export cells to a
/// spreadsheet column.
pub fn shape_from_wkt(text: &str) -> Result<Vec<Polygon>, DomainError> {
    let t = text.trim();
    let upper = t.to_ascii_uppercase();
    let (multi, rest) = if let Some(r) = upper.strip_prefix("MULTIPOLYGON") {
        (true, &t[t.len() - r.len()..])
    } else if let Some(r) = upper.strip_prefix("POLYGON") {
        (false, &t[t.len() - r.len()..])
    } else {
        return Err(bad("WKT 应以 POLYGON 或 MULTIPOLYGON 开头"));
    };
    // Turned into the GeoJSON nesting: "(" → "[", coordinates "x y" → "[x, y]".
    let mut json = String::with_capacity(rest.len() * 2);
    let mut number = String::new();
    let mut pair: Vec<String> = Vec::new();
    let flush_pair = |pair: &mut Vec<String>, json: &mut String| -> Result<(), DomainError> {
        if pair.is_empty() {
            return Ok(());
        }
        if pair.len() < 2 {
            return Err(bad("WKT 坐标应为“经度 纬度”"));
        }
        json.push_str(&format!("[{},{}]", pair[0], pair[1]));
        pair.clear();
        Ok(())
    };
    for c in rest.trim().chars() {
        match c {
            '0'..='9' | '.' | '-' | '+' | 'e' | 'E' => number.push(c),
            ' ' | '\t' | '\n' | '\r' | ',' | '(' | ')' => {
                if !number.is_empty() {
                    if number.parse::<Decimal>().is_err() && Decimal::from_scientific(&number).is_err() {
                        return Err(bad(&format!("“{number}”不是数")));
                    }
                    pair.push(std::mem::take(&mut number));
                }
                match c {
                    ',' => {
                        flush_pair(&mut pair, &mut json)?;
                        json.push(',');
                    }
                    '(' => json.push('['),
                    ')' => {
                        flush_pair(&mut pair, &mut json)?;
                        json.push(']');
                    }
                    _ => {}
                }
            }
            other => return Err(bad(&format!("WKT 中有不认识的字符“{other}”"))),
        }
    }
    let coordinates: Value = serde_json::from_str(&json).map_err(|_| bad("WKT 的括号不成对"))?;
    let kind = if multi { "MultiPolygon" } else { "Polygon" };
    shape_from_geojson(&serde_json::json!({"type": kind, "coordinates": coordinates}))
}

/// Whether (lon, lat) lies inside a ring (even-odd rule; a point on an edge counts as inside
/// the cell it is found in first).
fn in_ring(ring: &Ring, (x, y): Point) -> bool {
    let mut inside = false;
    let n = ring.len();
    let mut j = n - 1;
    for i in 0..n {
        let (xi, yi) = ring[i];
        let (xj, yj) = ring[j];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

impl GridCell {
    pub fn contains(&self, point: Point) -> bool {
        self.shape.iter().any(|p| in_ring(&p.outer, point) && !p.holes.iter().any(|h| in_ring(h, point)))
    }
}

/// The cell a point lies in, or an error saying it is outside every cell.
pub fn locate(cells: &[GridCell], (lon, lat): Point) -> Result<&GridCell, DomainError> {
    cells
        .iter()
        .find(|c| c.contains((lon, lat)))
        .ok_or_else(|| DomainError::Invalid(format!("位置（{lon}, {lat}）不在任何单元网格内")))
}

/// Cells indexed for locating many points (a migration's, a city's year): each cell's bounding
/// box filed under the buckets of a 0.01° lattice it covers, so that a point is tested
/// against the few cells near it — exactly, in decimals, in the cells' order.
#[derive(Debug, Clone)]
pub struct GridIndex {
    cells: Vec<GridCell>,
    buckets: std::collections::HashMap<(i64, i64), Vec<usize>>,
    /// Cells too large to file (over 10,000 buckets): tested for every point.
    large: Vec<usize>,
}

/// A lattice bucket's key along one axis.
fn bucket(d: Decimal) -> i64 {
    use rust_decimal::prelude::ToPrimitive;
    (d * Decimal::ONE_HUNDRED).floor().to_i64().unwrap_or(0)
}

impl GridIndex {
    pub fn new(cells: Vec<GridCell>) -> Self {
        let mut buckets: std::collections::HashMap<(i64, i64), Vec<usize>> = Default::default();
        let mut large = vec![];
        for (i, c) in cells.iter().enumerate() {
            let points = c.shape.iter().flat_map(|p| p.outer.iter());
            let (mut x0, mut y0, mut x1, mut y1) = (i64::MAX, i64::MAX, i64::MIN, i64::MIN);
            for &(x, y) in points {
                let (bx, by) = (bucket(x), bucket(y));
                (x0, y0, x1, y1) = (x0.min(bx), y0.min(by), x1.max(bx), y1.max(by));
            }
            if x0 > x1 {
                continue;
            }
            if (x1 - x0 + 1).saturating_mul(y1 - y0 + 1) > 10_000 {
                large.push(i);
                continue;
            }
            for bx in x0..=x1 {
                for by in y0..=y1 {
                    buckets.entry((bx, by)).or_default().push(i);
                }
            }
        }
        GridIndex { cells, buckets, large }
    }

    pub fn cells(&self) -> &[GridCell] {
        &self.cells
    }

    /// The cell a point lies in (the first in the cells' order, as [`locate`] finds it).
    pub fn locate(&self, (lon, lat): Point) -> Result<&GridCell, DomainError> {
        let mut near: Vec<usize> = self.buckets.get(&(bucket(lon), bucket(lat))).cloned().unwrap_or_default();
        near.extend(&self.large);
        near.sort_unstable();
        near.into_iter()
            .map(|i| &self.cells[i])
            .find(|c| c.contains((lon, lat)))
            .ok_or_else(|| DomainError::Invalid(format!("位置（{lon}, {lat}）不在任何单元网格内")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(code: &str, street: &str, wkt: &str) -> GridCell {
        GridCell {
            code: code.into(),
            name: code.into(),
            street: street.into(),
            community: String::new(),
            shape: shape_from_wkt(wkt).unwrap(),
        }
    }

    fn at(lon: &str, lat: &str) -> Point {
        point(lon.parse().unwrap(), lat.parse().unwrap()).unwrap()
    }

    #[test]
    fn a_point_is_located_to_its_cell_and_street_and_a_hole_is_not_the_cell() {
        let cells = [
            cell(
                "41010300101",
                "德化街街道",
                "POLYGON ((113.60 34.74, 113.62 34.74, 113.62 34.76, 113.60 34.76, 113.60 34.74), (113.605 34.745, 113.607 34.745, 113.607 34.747, 113.605 34.747, 113.605 34.745))",
            ),
            cell(
                "41010300201",
                "一马路街道",
                "MULTIPOLYGON (((113.62 34.74, 113.64 34.74, 113.64 34.76, 113.62 34.76)), ((113.605 34.745, 113.607 34.745, 113.607 34.747, 113.605 34.747)))",
            ),
        ];
        assert_eq!(locate(&cells, at("113.61", "34.75")).unwrap().street, "德化街街道");
        assert_eq!(locate(&cells, at("113.63", "34.75")).unwrap().code, "41010300201");
        // Inside the first cell's hole: the second cell's island.
        assert_eq!(locate(&cells, at("113.606", "34.746")).unwrap().code, "41010300201");
        let outside = locate(&cells, at("113.70", "34.75")).unwrap_err().to_string();
        assert!(outside.contains("不在任何单元网格内"), "{outside}");
        // The index finds what the scan finds, for points in each cell, a hole, an edge and outside.
        let index = GridIndex::new(cells.to_vec());
        for (lon, lat) in
            [("113.61", "34.75"), ("113.63", "34.75"), ("113.606", "34.746"), ("113.62", "34.75"), ("113.70", "34.75")]
        {
            let (scan, indexed) = (locate(&cells, at(lon, lat)), index.locate(at(lon, lat)));
            assert_eq!(scan.map(|c| c.code.clone()).ok(), indexed.map(|c| c.code.clone()).ok(), "{lon} {lat}");
        }
    }

    #[test]
    fn geojson_features_and_geometries_are_read() {
        let feature = serde_json::json!({"type": "Feature", "properties": {},
            "geometry": {"type": "Polygon", "coordinates": [[[113.6, 34.7], [113.7, 34.7], [113.7, 34.8], [113.6, 34.7]]]}});
        let shape = shape_from_geojson(&feature).unwrap();
        assert_eq!(shape[0].outer.len(), 4);
        assert_eq!(shape, shape_from_wkt("polygon((113.6 34.7,113.7 34.7,113.7 34.8,113.6 34.7))").unwrap());
    }

    #[test]
    fn a_feature_collection_gives_cells_and_a_bad_feature_is_named() {
        let square = r#"{"type":"Polygon","coordinates":[[[113.6,34.7],[113.61,34.7],[113.61,34.71],[113.6,34.7]]]}"#;
        let good = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"code":"DHJ-01","name":"一网格","street":"erqi-dhj","community":"钱塘里"}},"geometry":{square}}}]}}"#
        );
        let cells = cells_from_geojson_text(&good).unwrap();
        assert_eq!((cells[0].code.as_str(), cells[0].street.as_str(), cells[0].shape.len()), ("DHJ-01", "erqi-dhj", 1));
        let no_street = good.replace(r#""street":"erqi-dhj","#, "");
        assert_eq!(
            cells_from_geojson_text(&no_street).unwrap_err().to_string(),
            "第1个要素（DHJ-01）：属性 code 与 street 不能为空"
        );
        let line = good.replace(r#""type":"Polygon""#, r#""type":"LineString""#);
        assert!(cells_from_geojson_text(&line).unwrap_err().to_string().starts_with("第1个要素（DHJ-01）：网格边界"));
    }

    #[test]
    fn a_shape_kept_as_geojson_reads_back_the_same_to_the_last_digit() {
        let shape = shape_from_wkt("POLYGON ((113.6001 34.7001, 113.6102 34.7001, 113.6102 34.7150, 113.6001 34.7001), (113.605 34.705, 113.606 34.705, 113.606 34.706, 113.605 34.705))").unwrap();
        let text = shape_to_geojson(&shape);
        let back = shape_from_geojson(&serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!(back, shape);
        assert!(text.contains("[113.6102,34.715]"), "{text}");
    }

    #[test]
    fn bad_shapes_are_refused_in_words() {
        for (input, expected) in [
            ("POINT (113.6 34.7)", "POLYGON"),
            ("POLYGON ((113.6 34.7, 113.7 34.7))", "至少三个点"),
            ("POLYGON ((113.6 34.7, 113.7 34.7, 213.7 34.8))", "不是有效的经纬度"),
            ("POLYGON ((113.6 34.7, 113.7 34.7, 113.7 34.8)", "括号不成对"),
            ("POLYGON ((113.6 34.7, 113.7 x, 113.7 34.8))", "不认识的字符"),
        ] {
            let err = shape_from_wkt(input).unwrap_err().to_string();
            assert!(err.contains(expected), "{input}: {err}");
        }
        let big = format!("POLYGON (({}))", vec!["113.6 34.7"; MAX_VERTICES + 1].join(","));
        assert!(shape_from_wkt(&big).unwrap_err().to_string().contains("顶点超过"));
    }
}
